// Goal: the in-memory engine compacts like the disk cleaner: below the active segment only each key's
// newest record stays (offsets kept), and an aborted transaction's records go.
// Method: an in-memory log manager with a manual clock, a compacted topic with small segments,
// runCompaction by hand, the records left compared exactly.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { buildBatch } from '../../protocol/records/batch-v2.ts'
import { buildEndTransactionMarkerBatch, ControlRecordType } from '../../protocol/records/control-record.ts'
import { decodeRecordsOf, ManualClock, makeBatch, quietLogger } from '../testing/batches.ts'
import type { PartitionLog } from '../types.ts'
import { createMemoryLogManager } from './memory-log-manager.ts'

async function everything(log: PartitionLog): Promise<string[]> {
  const all: string[] = []
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const decoded = (await decodeRecordsOf((await log.read(offset, 10_000_000)).records)).filter(
      (record) => record.offset >= offset,
    )
    if (decoded.length === 0) break
    for (const record of decoded) all.push(`${record.offset}:${record.key}=${record.value}`)
    offset = decoded[decoded.length - 1].offset + 1
  }
  return all
}

it('keeps the newest record per key and drops aborted transactions', async () => {
  const clock = new ManualClock(10_000_000)
  const manager = createMemoryLogManager({ clock, logger: quietLogger(), maintenanceIntervalMs: 0 })
  await manager.createTopic('compacted', {
    partitionCount: 1,
    configOverrides: {
      'cleanup.policy': 'compact',
      'segment.bytes': '200',
      'min.cleanable.dirty.ratio': '0.01',
    },
  })
  const log = manager.partition('compacted', 0)!
  for (const [key, value] of [
    ['a', '1'],
    ['b', '1'],
    ['a', '2'],
  ]) {
    await log.append(await makeBatch([{ key, value, timestamp: clock.now() }]), { durable: false })
  }
  const aborted = await buildBatch({
    producerId: 9n,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
    records: [{ timestamp: clock.now(), key: Buffer.from('b'), value: Buffer.from('aborted') }],
  })
  await log.append(aborted, { durable: false })
  const marker = await buildEndTransactionMarkerBatch({
    marker: { type: ControlRecordType.abort, coordinatorEpoch: 0 },
    producerId: 9n,
    producerEpoch: 0,
    timestamp: clock.now(),
  })
  await log.append(marker, { durable: false, origin: 'coordinator' })
  for (let index = 0; index < 4; index++) {
    await log.append(await makeBatch([{ key: 'pad', value: 'x'.repeat(120), timestamp: clock.now() }]), {
      durable: false,
    })
  }
  clock.nowMs += 60_000
  await manager.runCompaction()
  // Offset 4 is the ABORT marker (a control record): younger than delete.retention.ms, it stays.
  const left = (await everything(log)).filter((entry) => !entry.includes('=x') && !entry.startsWith('4:'))
  assert.deepEqual(left, ['1:b=1', '2:a=2'])
  await manager.close()
})
