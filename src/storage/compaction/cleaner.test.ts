// Goal: the log cleaner keeps exactly the newest record per key in closed segments, with original
// offsets; leaves the active segment alone; drops tombstones only after delete.retention.ms; respects
// min.compaction.lag.ms; rewrites compressed batches with the same codec; and a crash at any point of
// the swap leaves a readable log (the old segments before the commit point, the cleaned ones after).
// Method: a disk engine with a manual clock and the cleaner, runCompaction called by hand, exact
// (offset, key, value) lists compared with what a key-by-key model of compaction predicts.

import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import { CompressionCodec } from '../../protocol/records/compression/codec-id.ts'
import { type DiskLogManager, openLogManager } from '../log-manager.ts'
import {
  decodeRecordsOf,
  ManualClock,
  makeBatch,
  quietLogger,
  temporaryDirectory,
} from '../testing/batches.ts'
import type { PartitionLog } from '../types.ts'
import { type CleanerHooks, createCleaner } from './cleaner.ts'

let dataDir: string
let removeDataDir: () => Promise<void>
let clock: ManualClock
beforeEach(async () => {
  ;({ directory: dataDir, remove: removeDataDir } = await temporaryDirectory())
  clock = new ManualClock(10_000_000)
})
afterEach(async () => {
  await removeDataDir()
})

function open(hooks: CleanerHooks = {}): Promise<DiskLogManager> {
  return openLogManager({
    dataDir,
    clock,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
    compactPartition: createCleaner({ hooks }),
  })
}

const compacted = { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'delete.retention.ms': '1000' }

async function everything(log: PartitionLog): Promise<string[]> {
  const { records } = await log.read(log.logStartOffset, 10_000_000)
  const all: string[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const decoded = (await decodeRecordsOf((await log.read(offset, 10_000_000)).records)).filter(
      (record) => record.offset >= offset,
    )
    if (decoded.length === 0) break
    for (const record of decoded) all.push(`${record.offset}:${record.key}=${record.value}`)
    offset = decoded[decoded.length - 1].offset + 1
  }
  void records
  return all
}

/** Appends `count` single-record batches with keys k0..k(keys-1) in turn; values say key and index. */
async function appendKeyed(log: PartitionLog, from: number, count: number, keys: number): Promise<void> {
  for (let index = from; index < from + count; index += 1) {
    const key = `k${index % keys}`
    await log.append(await makeBatch([{ key, value: `${key}-v${index}`, timestamp: clock.now() }]), {
      durable: false,
    })
  }
}

/** What compaction should leave: below `activeBase`, only each key's newest record. */
function expectCompacted(before: readonly string[], activeBase: number): string[] {
  const newest = new Map<string, number>()
  for (const entry of before) {
    const [offset, rest] = entry.split(':')
    if (Number(offset) < activeBase) newest.set(rest.split('=')[0], Number(offset))
  }
  return before.filter((entry) => {
    const [offset, rest] = entry.split(':')
    return Number(offset) >= activeBase || newest.get(rest.split('=')[0]) === Number(offset)
  })
}

test('keeps the newest record per key with its offset; the active segment is untouched', async () => {
  const manager = await open()
  await manager.createTopic('c', { partitionCount: 1, configOverrides: compacted })
  const log = manager.partition('c', 0)!
  await appendKeyed(log, 0, 40, 4)
  const before = await everything(log)
  const activeBase = manager.partition('c', 0)!.segments.at(-1)!.baseOffset
  await manager.runCompaction()
  const after = await everything(log)
  assert.deepEqual(after, expectCompacted(before, activeBase))
  assert.ok(after.length < before.length)
  assert.equal(log.logEndOffset, 40)
  await log.append(await makeBatch([{ key: 'k9', value: 'new', timestamp: clock.now() }]), { durable: true })
  assert.equal((await everything(log)).at(-1), '40:k9=new')
  await manager.close()
  const reopened = await open()
  assert.deepEqual(
    (await everything(reopened.partition('c', 0)!)).slice(0, -1),
    expectCompacted(before, activeBase),
  )
  await reopened.close()
})

test('tombstones stay for delete.retention.ms, then go', async () => {
  const manager = await open()
  await manager.createTopic('t', { partitionCount: 1, configOverrides: compacted })
  const log = manager.partition('t', 0)!
  await log.append(await makeBatch([{ key: 'gone', value: 'alive', timestamp: clock.now() }]), {
    durable: false,
  })
  await log.append(await makeBatch([{ key: 'gone', value: null, timestamp: clock.now() }]), {
    durable: false,
  })
  await appendKeyed(log, 0, 20, 20)
  clock.advance(500)
  await manager.runCompaction()
  const first = await everything(log)
  assert.ok(!first.includes('0:gone=alive'))
  assert.ok(first.includes('1:gone=null'), 'the tombstone is kept within delete.retention.ms')
  clock.advance(2_000)
  await appendKeyed(log, 20, 40, 1000)
  await manager.runCompaction()
  const second = await everything(log)
  assert.ok(
    !second.some((entry) => entry.includes('gone')),
    `tombstone left: ${second.filter((e) => e.includes('gone'))}`,
  )
  assert.ok(second.includes('2:k0=k0-v0'))
  await manager.close()
})

test('min.compaction.lag.ms holds recent segments back', async () => {
  const manager = await open()
  await manager.createTopic('lag', {
    partitionCount: 1,
    configOverrides: { ...compacted, 'min.compaction.lag.ms': '60000' },
  })
  const log = manager.partition('lag', 0)!
  await appendKeyed(log, 0, 30, 2)
  const before = await everything(log)
  await manager.runCompaction()
  assert.deepEqual(await everything(log), before)
  clock.advance(120_000)
  await manager.runCompaction()
  assert.deepEqual(await everything(log), expectCompacted(before, log.segments.at(-1)!.baseOffset))
  await manager.close()
})

test('compressed batches are filtered and recompressed with their codec', async () => {
  const manager = await open()
  await manager.createTopic('z', { partitionCount: 1, configOverrides: compacted })
  const log = manager.partition('z', 0)!
  const records = [
    { key: 'a', value: 'a1', timestamp: clock.now() },
    { key: 'b', value: 'b1', timestamp: clock.now() },
    { key: 'a', value: 'a2', timestamp: clock.now() },
  ]
  await log.append(await makeBatch(records, { compression: CompressionCodec.gzip }), { durable: false })
  await appendKeyed(log, 0, 12, 12)
  await manager.runCompaction()
  const { records: stored } = await log.read(0, 100)
  assert.equal(stored.readInt16BE(21) & 0x07, CompressionCodec.gzip)
  assert.deepEqual((await everything(log)).slice(0, 2), ['1:b=b1', '2:a=a2'])
  await manager.close()
})

/** Compacts with a crash in `hook` while swapping the last group (each closed segment is a group
 * here: two never fit segment.bytes together); earlier groups completed their swap. */
async function crashDuringSwap(
  hook: 'beforeSwapCommit' | 'afterUnlink',
): Promise<{ before: string[]; activeBase: number }> {
  let calls = 0
  let crashOnCall = 0
  const hooks: CleanerHooks = {
    [hook]: async () => {
      calls += 1
      if (calls === crashOnCall) throw new Error('simulated crash')
    },
  }
  const manager = await open(hooks)
  await manager.createTopic('s', { partitionCount: 1, configOverrides: compacted })
  const log = manager.partition('s', 0)!
  await appendKeyed(log, 0, 40, 3)
  const before = await everything(log)
  const activeBase = log.segments.at(-1)!.baseOffset
  crashOnCall = log.segments.length - 1
  await manager.runCompaction()
  // The process dies here: files stay as the hook left them, no flush, no clean-shutdown marker.
  for (const segment of log.segments) await segment.close()
  return { before, activeBase }
}

test('a crash after the swap committed completes the swap on restart', async () => {
  const { before, activeBase } = await crashDuringSwap('afterUnlink')
  const reopened = await open()
  assert.deepEqual(await everything(reopened.partition('s', 0)!), expectCompacted(before, activeBase))
  const names = await readdir(path.join(dataDir, 's-0'))
  assert.deepEqual(
    names.filter((name) => name.endsWith('.cleaned') || name.endsWith('.swap')),
    [],
  )
  await reopened.close()
})

test('a crash before the swap committed keeps the old segment and drops the cleaned files', async () => {
  const { before, activeBase } = await crashDuringSwap('beforeSwapCommit')
  const reopened = await open()
  const lastClosed = reopened.partition('s', 0)!.segments.at(-2)!.baseOffset
  // Every group but the last was swapped; the last one's records are all still there.
  const expected = expectCompacted(before, activeBase).filter(
    (entry) => Number(entry.split(':')[0]) < lastClosed,
  )
  expected.push(...before.filter((entry) => Number(entry.split(':')[0]) >= lastClosed))
  assert.deepEqual(await everything(reopened.partition('s', 0)!), expected)
  const names = await readdir(path.join(dataDir, 's-0'))
  assert.deepEqual(
    names.filter((name) => name.endsWith('.cleaned') || name.endsWith('.swap')),
    [],
  )
  await reopened.close()
})
