// Goal: `batchesApart` reads (the in-process client's Fetch) hand out the in-memory engine's stored
// batches themselves, the same bytes a plain read concatenates, within the same byte budget, and
// read_committed trims them at the last stable offset like it trims `records`.
// Method: a memory log with three appended batches read both ways; readCommittedView applied to a
// batches-apart result with a last stable offset inside the range.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { PartitionTransactions, readCommittedView } from '../partition-transactions.ts'
import { ManualClock, makeBatch, quietLogger, valueBatch } from '../testing/batches.ts'
import { createMemoryLogManager } from './memory-log-manager.ts'

it('hands the stored batches apart: the bytes of a plain read, no copy, same budget, trimmed at the LSO', async () => {
  const manager = createMemoryLogManager({
    clock: new ManualClock(),
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
  })
  await manager.createTopic('apart', { partitionCount: 1 })
  const log = manager.partition('apart', 0) ?? assert.fail('no partition')
  await log.append(await makeBatch([{ value: 'a' }, { value: 'b' }]), { durable: false })
  await log.append(await valueBatch('c'), { durable: false })
  await log.append(await valueBatch('d'), { durable: false })

  const plain = await log.read(1, 1 << 20)
  const apart = await log.read(1, 1 << 20, { batchesApart: true })
  const batches = apart.batches ?? assert.fail('no batches')
  assert.equal(apart.records.length, 0)
  assert.equal(batches.length, 3)
  assert.deepEqual(Buffer.concat(batches), plain.records)
  // The very Buffers the engine keeps: reading the same range again gives the same objects.
  const again = (await log.read(1, 1 << 20, { batchesApart: true })).batches ?? []
  assert.ok(again.every((batch, index) => batch === batches[index]))

  const budget = batches[0].length + batches[1].length
  const limited = (await log.read(0, budget, { batchesApart: true })).batches ?? []
  assert.equal(limited.length, 2)

  const committed = await log.read(0, 1 << 20, { batchesApart: true, isolation: 'read_committed' })
  assert.equal(committed.batches?.length, 3)
  const trimmed = readCommittedView(apart, 0, new PartitionTransactions(), 3)
  assert.deepEqual(trimmed.batches, batches.slice(0, 2))
  await manager.close()
})
