// Goal: librdkafka, through `kcat -Q` (offsets_for_times → ListOffsets), finds offsets by time as
// Kafka does: the first offset whose timestamp is at or after T, -1 past the last record, -2/-1 for
// the start and end of the log; and an unknown topic fails.
// Method: an in-process broker; three single-record batches with timestamps 1000/2000/3000 are
// appended straight to partition 0 of a two-partition topic; kcat is run once per query (librdkafka
// merges queries for one partition) and its "topic [partition] offset N" lines are compared exactly.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { requireClient } from '../../helpers/clients.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'

const run = promisify(execFile)
const skip = requireClient('kcat')
const kcatTimeoutMs = 60_000
const topic = 'clock'

let server: InProcessBroker

before(async () => {
  if (skip) return
  server = await startInProcessBroker()
  await server.broker.logs.createTopic(topic, { partitionCount: 2 })
  const log = server.broker.logs.partition(topic, 0)!
  for (const timestamp of [1000, 2000, 3000]) {
    const batch = await buildBatch({ records: [{ timestamp, value: Buffer.from(`${timestamp}`) }] })
    await log.append(batch, { durable: false, leaderEpoch: 0 })
  }
})

after(async () => {
  await server?.stop()
})

async function query(partition: number, timestamp: number): Promise<string> {
  const { stdout } = await run(
    'kcat',
    ['-b', server.bootstrap, '-Q', '-t', `${topic}:${partition}:${timestamp}`],
    {
      timeout: kcatTimeoutMs,
    },
  )
  return stdout.trim()
}

test('kcat -Q finds the first offset at or after a timestamp', { skip }, async () => {
  assert.equal(await query(0, 0), 'clock [0] offset 0')
  assert.equal(await query(0, 1500), 'clock [0] offset 1')
  assert.equal(await query(0, 3000), 'clock [0] offset 2')
  assert.equal(await query(0, 3001), 'clock [0] offset -1')
  assert.equal(await query(1, 1500), 'clock [1] offset -1')
})

test('kcat -Q with -2 and -1 gives the start and the end of the log', { skip }, async () => {
  assert.equal(await query(0, -2), 'clock [0] offset 0')
  assert.equal(await query(0, -1), 'clock [0] offset 3')
  assert.equal(await query(1, -1), 'clock [1] offset 0')
})

test('kcat -Q on an unknown topic fails', { skip }, async () => {
  await assert.rejects(
    run('kcat', ['-b', server.bootstrap, '-Q', '-t', 'missing:0:1000'], { timeout: kcatTimeoutMs }),
  )
})
