// The takeover scenario shared by the rebalance-<client> tests (one file per client, so each stays
// bounded and they can run side by side):
// 1. A 6-partition topic holds batch A (60 known records, 10 per partition).
// 2. Three members of one group (separate processes) start: their assignments are disjoint and
//    cover all 6 partitions, 2 each (range and round-robin give 2 of 6 to each of 3), and together
//    they consume A.
// 3. Member 1 closes (LeaveGroup): members 2 and 3 take over all 6 partitions (3 each); batch B is
//    produced and consumed.
// 4. Member 2 is SIGKILLed (no LeaveGroup): after its session timeout (6 s) member 3 owns all 6
//    partitions; batch C is produced, and member 3 consumes every record of C.
// At the end, the records consumed by all members are exactly the records produced (at-least-once:
// a record may arrive twice after a takeover, always identical; none is missing).
import assert from 'node:assert/strict'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { makeRecords, type TestRecord } from '../../helpers/data-path-records.ts'
import {
  assertConsumedSet,
  createTopic,
  GroupMember,
  type MemberClient,
  produceRecords,
  waitForDisjointCover,
  waitUntil,
} from './group-members.ts'

const partitions = 6
const batchSize = 60
const rebalanceTimeoutMs = 40_000
const consumeTimeoutMs = 30_000

function consumedAll(members: GroupMember[], expected: TestRecord[]): boolean {
  const seen = new Set(members.flatMap((member) => member.records.map((r) => `${r.partition}/${r.offset}`)))
  return expected.every((record) => seen.has(`${record.partition}/${record.offset}`))
}

async function waitForConsumed(members: GroupMember[], expected: TestRecord[], what: string): Promise<void> {
  await waitUntil(
    () => consumedAll(members, expected),
    consumeTimeoutMs,
    () => `${what}\n  ${members.map((member) => member.describe()).join('\n  ')}`,
  )
}

export interface TakeoverOptions {
  /** Extra client settings for every member. */
  config?: Record<string, unknown>
}

export async function runTakeoverScenario(
  client: MemberClient,
  options: TakeoverOptions = {},
): Promise<void> {
  const broker: BrokerProcess = await startBrokerProcess()
  const members: GroupMember[] = []
  try {
    const topic = `takeover-${client}`
    const group = `takeover-group-${client}`
    await createTopic(broker.bootstrap, topic, partitions)
    const records = makeRecords({ count: 3 * batchSize, partitions, source: client })
    const [batchA, batchB, batchC] = [0, 1, 2].map((n) => records.slice(n * batchSize, (n + 1) * batchSize))
    await produceRecords(broker.bootstrap, topic, batchA)

    for (const n of [1, 2, 3]) {
      const spec = { bootstrap: broker.bootstrap, group, topic, client_id: `${client}-member-${n}` }
      members.push(GroupMember.start(client, { ...spec, config: options.config }))
    }
    const [first, second, third] = members
    await waitForDisjointCover(members, partitions, rebalanceTimeoutMs, 'three members joined')
    assert.deepEqual(
      members.map((member) => member.owned.length),
      [2, 2, 2],
      'three members share six partitions',
    )
    await waitForConsumed(members, batchA, 'batch A consumed by the three members')

    await first.close()
    await waitForDisjointCover([second, third], partitions, rebalanceTimeoutMs, 'after member 1 left')
    assert.deepEqual([second.owned.length, third.owned.length], [3, 3], 'two members share six partitions')
    await produceRecords(broker.bootstrap, topic, batchB)
    await waitForConsumed([second, third], batchB, 'batch B consumed by members 2 and 3')

    const thirdRecordsBefore = third.records.length
    await second.kill()
    await waitForDisjointCover([third], partitions, rebalanceTimeoutMs, 'after member 2 was killed')
    await produceRecords(broker.bootstrap, topic, batchC)
    await waitForConsumed([third], batchC, 'batch C consumed by member 3 alone')

    assertConsumedSet(
      third.records.slice(thirdRecordsBefore),
      batchC,
      'member 3 after the kill (every record of C)',
    )
    assertConsumedSet(
      members.flatMap((member) => member.records),
      records,
      'all members together (batches A, B, C)',
    )
    await third.close()
  } catch (error) {
    const detail = members.map((member) => member.describe()).join('\n  ')
    throw new Error(
      `${(error as Error).message}\n--- members ---\n  ${detail}\n--- broker (tail) ---\n${broker.output().slice(-6_000)}`,
      {
        cause: error,
      },
    )
  } finally {
    for (const member of members) if (!member.exited) await member.kill()
    await broker.stop()
  }
}
