// Goal: compaction removes the data of aborted transactions, compacts committed transactional data
// like any other, keeps open transactions, and removes a marker only once none of its transaction's
// records is left and it is older than delete.retention.ms.
// Method: a compacted disk topic with small segments; transactional batches and COMMIT/ABORT markers
// appended as the producer and coordinator would (coordinator origin for markers); segments rolled;
// runCompaction; the records left are compared exactly (decodeRecordsOf skips no control records,
// so markers are checked through the batch headers).

import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { buildBatch, decodeBatches } from '../../protocol/records/batch-v2.ts'
import { buildEndTransactionMarkerBatch, ControlRecordType } from '../../protocol/records/control-record.ts'
import { openLogManager } from '../log-manager.ts'
import { ManualClock, quietLogger, temporaryDirectory } from '../testing/batches.ts'
import type { PartitionLog } from '../types.ts'
import { createCleaner } from './cleaner.ts'

let dataDir: string
let removeDataDir: () => Promise<void>
const clock = new ManualClock(10_000_000)
beforeEach(async () => {
  ;({ directory: dataDir, remove: removeDataDir } = await temporaryDirectory())
})
afterEach(async () => {
  await removeDataDir()
})

async function transactional(
  log: PartitionLog,
  producerId: bigint,
  sequence: number,
  entries: [string, string][],
) {
  const batch = await buildBatch({
    producerId,
    producerEpoch: 0,
    baseSequence: sequence,
    isTransactional: true,
    records: entries.map(([key, value]) => ({
      timestamp: clock.now(),
      key: Buffer.from(key),
      value: Buffer.from(value),
    })),
  })
  await log.append(batch, { durable: false })
}

async function marker(log: PartitionLog, producerId: bigint, commit: boolean) {
  const type = commit ? ControlRecordType.commit : ControlRecordType.abort
  const batch = await buildEndTransactionMarkerBatch({
    marker: { type, coordinatorEpoch: 0 },
    producerId,
    producerEpoch: 0,
    timestamp: clock.now(),
  })
  await log.append(batch, { durable: false, origin: 'coordinator' })
}

async function scenario(deleteRetentionMs: string): Promise<string[]> {
  const manager = await openLogManager({
    dataDir,
    clock,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
    compactPartition: createCleaner({}),
  })
  await manager.createTopic('txn-compact', {
    partitionCount: 1,
    configOverrides: {
      'cleanup.policy': 'compact',
      'segment.bytes': '300',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': deleteRetentionMs,
    },
  })
  const log = manager.partition('txn-compact', 0)!
  await transactional(log, 1n, 0, [
    ['a', 'aborted-1'],
    ['b', 'aborted-2'],
  ]) // offsets 0-1
  await marker(log, 1n, false) // 2
  await transactional(log, 2n, 0, [['a', 'old']]) // 3
  await transactional(log, 2n, 1, [['a', 'new']]) // 4
  await marker(log, 2n, true) // 5
  await transactional(log, 3n, 0, [['c', 'open']]) // 6, transaction still open
  for (let index = 0; index < 6; index++) {
    await log.append(
      await buildBatch({
        records: [{ timestamp: clock.now(), key: Buffer.from('pad'), value: Buffer.alloc(120) }],
      }),
      { durable: false },
    )
  }
  clock.nowMs += 60_000
  await manager.runCompaction()
  const batches = []
  for (let offset = 0; offset < log.logEndOffset; ) {
    const read = await decodeBatches((await log.read(offset, 10_000_000)).records)
    if (read.length === 0) break
    batches.push(...read)
    const last = read[read.length - 1].header
    offset = last.baseOffset + last.lastOffsetDelta + 1
  }
  const left = batches
    .filter((batch) => batch.header.baseOffset <= 6)
    .map((batch) =>
      batch.header.isControl
        ? `${batch.header.baseOffset}:marker(${batch.header.producerId})`
        : batch.records.map((record) => `${record.offset}:${record.key}=${record.value}`).join(','),
    )
  await manager.close()
  return left
}

test('aborted data goes, committed data is compacted, open data and recent markers stay', async () => {
  assert.deepEqual(await scenario('86400000'), ['2:marker(1)', '4:a=new', '5:marker(2)', '6:c=open'])
})

test('a marker older than delete.retention.ms goes once none of its records is left', async () => {
  // Producer 1's transaction was aborted (no record left): its marker goes. Producer 2's commit
  // marker stays while a=new remains.
  assert.deepEqual(await scenario('1000'), ['4:a=new', '5:marker(2)', '6:c=open'])
})
