// AppendWatch remembers an append that lands before the Fetch starts waiting (the lost wake-up of
// issue 13), wakes a wait in progress, ends a wait at its timeout, and stops listening when closed.
// Method: a real in-memory partition log; appends through its public append().
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildBatch } from '../../../protocol/records/batch-v2.ts'
import { createMemoryLogManager } from '../../../storage/memory/memory-log-manager.ts'
import type { PartitionLog } from '../../../storage/types.ts'
import { AppendWatch } from './wait-for-data.ts'

async function oneLog(): Promise<PartitionLog> {
  const logs = createMemoryLogManager()
  await logs.createTopic('t', { partitionCount: 1 })
  const log = logs.partition('t', 0)
  assert.ok(log !== undefined)
  return log
}

async function appendOne(log: PartitionLog): Promise<void> {
  await log.append(await buildBatch({ records: [{ timestamp: 1, value: Buffer.from('v') }] }), {
    durable: false,
  })
}

test('an append between the start of the watch and the wait ends the wait at once', async () => {
  const log = await oneLog()
  const watch = new AppendWatch([log])
  await appendOne(log) // lands while the Fetch would be reading
  const startedMs = performance.now()
  assert.equal(await watch.nextAppend(10_000), true)
  assert.ok(performance.now() - startedMs < 1_000)
  watch.close()
})

test('a wait in progress wakes at the next append; without one it times out', async () => {
  const log = await oneLog()
  const watch = new AppendWatch([log])
  const waiting = watch.nextAppend(10_000)
  await appendOne(log)
  assert.equal(await waiting, true)
  // The append was consumed by that wait: the next one waits for a new append or the timeout.
  assert.equal(await watch.nextAppend(20), false)
  watch.close()
})

test('a closed watch no longer hears appends, and a watch on no logs never waits', async () => {
  const log = await oneLog()
  const watch = new AppendWatch([log])
  watch.close()
  await appendOne(log)
  assert.equal(await watch.nextAppend(20), false)
  const startedMs = performance.now()
  assert.equal(await new AppendWatch([]).nextAppend(10_000), false)
  assert.ok(performance.now() - startedMs < 1_000)
})
