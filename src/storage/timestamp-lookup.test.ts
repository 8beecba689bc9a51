// Goal: ListOffsets by timestamp and by max timestamp name the exact record, not just its batch
// (Kafka's answers), on both engines.
// Method: one batch of three records with chosen timestamps appended to each engine; the lookups
// are compared with the record offsets and timestamps.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { buildBatch } from '../protocol/records/batch-v2.ts'
import { openLogManager } from './log-manager.ts'
import { createMemoryLogManager } from './memory/memory-log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import type { LogManager } from './types.ts'

async function check(manager: LogManager): Promise<void> {
  await manager.createTopic('times', { partitionCount: 1 })
  const log = manager.partition('times', 0)!
  const records = [100, 500, 300].map((timestamp) => ({ timestamp, value: Buffer.from(String(timestamp)) }))
  await log.append(await buildBatch({ records }), { durable: false })
  assert.deepEqual(await log.offsetForTimestamp(150), { timestamp: 500, offset: 1 })
  assert.deepEqual(await log.offsetForTimestamp(100), { timestamp: 100, offset: 0 })
  assert.equal(await log.offsetForTimestamp(501), null)
  assert.deepEqual(await log.maxTimestampOffset(), { timestamp: 500, offset: 1 })
  await manager.close()
}

it('memory engine names the exact record', () =>
  check(createMemoryLogManager({ logger: quietLogger(), maintenanceIntervalMs: 0 })))

it('disk engine names the exact record', async () => {
  const { directory, remove } = await temporaryDirectory()
  try {
    await check(await openLogManager({ dataDir: directory, logger: quietLogger(), maintenanceIntervalMs: 0 }))
  } finally {
    await remove()
  }
})
