// readPartitions reads partitions in waves (reads started together) but must answer exactly as a
// one-by-one read within the response budget would: partition budgets, the response budget, and
// KIP-74 (only the first non-empty partition of a response may exceed its budget by one batch).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { buildBatch } from '../../../protocol/records/batch-v2.ts'
import { createMemoryLogManager } from '../../../storage/memory/memory-log-manager.ts'
import type { SessionPartition } from './fetch-session-cache.ts'
import { readPartitions } from './read-partitions.ts'

const batchBytesApprox = 1_000

function batchOf(partition: number): Promise<Buffer> {
  const value = Buffer.alloc(batchBytesApprox - 80, 0x61 + partition)
  return buildBatch({ records: [{ timestamp: 1, value }] })
}

async function logsWith(batchesPerPartition: number[]): Promise<ReturnType<typeof createMemoryLogManager>> {
  const logs = createMemoryLogManager()
  await logs.createTopic('t', { partitionCount: batchesPerPartition.length })
  for (const [partition, count] of batchesPerPartition.entries()) {
    for (let index = 0; index < count; index += 1) {
      await logs.partition('t', partition)?.append(await batchOf(partition), { durable: false })
    }
  }
  return logs
}

function targets(budgets: number[]): SessionPartition[] {
  return budgets.map((partitionMaxBytes, partition) => ({
    topic: 't',
    topicId: '',
    partition,
    fetchOffset: 0,
    partitionMaxBytes,
    currentLeaderEpoch: -1,
    sent: null,
  }))
}

/** Whole batches per partition in the response (each batch is the same size). */
async function batchesRead(
  batchesPerPartition: number[],
  budgets: number[],
  responseBytesMax: number,
): Promise<number[]> {
  const logs = await logsWith(batchesPerPartition)
  const batchBytes = (await batchOf(0)).length
  const reads = await readPartitions(targets(budgets), {
    apiVersion: 12,
    isolation: 'read_uncommitted',
    responseBytesMax,
    logs,
  })
  return reads.map((read) => read.records.length / batchBytes)
}

describe('readPartitions', () => {
  test('partitions whose budgets fit the response each get their whole budget', async () => {
    assert.deepEqual(await batchesRead([5, 5, 5], [2_500, 2_500, 2_500], 100_000), [2, 2, 2])
  })

  test('the response budget cuts later partitions, as a one-by-one read does', async () => {
    // 3 KiB of response: 2 batches from p0 (2.5 KiB budget), then 1 KiB left: p1 gets 1 batch, p2 none.
    assert.deepEqual(await batchesRead([5, 5, 5], [2_500, 2_500, 2_500], 3_000), [2, 1, 0])
  })

  test('KIP-74: only the first non-empty partition may exceed its budget by one batch', async () => {
    // p0 is empty, so p1 is the first non-empty partition: its one oversized batch is returned;
    // p2's is not (its budget is below one batch), and p3 still gets what fits.
    assert.deepEqual(await batchesRead([0, 3, 3, 3], [500, 500, 500, 2_500], 100_000), [0, 1, 0, 2])
  })

  test('an oversized first batch leaves less for the partitions after it', async () => {
    // Both budgets fit the 2,500 B response, so both reads start together with their whole budgets;
    // but p0 returns one batch (~1 KB) over its 500 B budget, leaving p1 1.5 KB instead of its 2 KB:
    // one batch, not the two its early read found.
    assert.deepEqual(await batchesRead([3, 3], [500, 2_000], 2_500), [1, 1])
  })
})
