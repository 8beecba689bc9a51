// Goal: confluent-kafka consumers in one classic group share a 6-partition topic with disjoint assignments that
// cover every partition; when one leaves cleanly and one is killed without LeaveGroup, the survivors
// take over every partition and consume every remaining record exactly as produced.
// Method: the broker as a process; three confluent-kafka consumers, each in its own child process (so one can be
// SIGKILLed); known records produced with kafkajs before and after each departure (takeover.ts says
// the steps and the exact checks).
import { test } from 'node:test'
import { requireClient } from '../../helpers/clients.ts'
import { runTakeoverScenario } from './takeover.ts'

test('confluent-kafka: three members share, one leaves, one is killed, the survivor takes everything', {
  skip: requireClient('confluent-kafka'),
}, async () => {
  await runTakeoverScenario('confluent-kafka')
})
