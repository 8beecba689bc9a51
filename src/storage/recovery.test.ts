// Goal: after an unclean shutdown the disk engine keeps every valid batch and drops everything from
// the first invalid byte on (torn tail, garbage tail, a corrupted CRC in the middle), rebuilds its
// indexes, and keeps appending at the right offset. After a clean shutdown it trusts its files and
// scans nothing.
// Method: write through the engine, "crash" by closing the file handles without flush or marker,
// damage the segment files with fs, reopen, and compare exact record values and offsets.

import assert from 'node:assert/strict'
import { appendFile, open, readdir, readFile, stat, truncate } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import { type DiskLogManager, openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory, valueBatch } from './testing/batches.ts'
import { appendValues, readAll } from './testing/behaviour-suite.ts'

let dataDir: string
let removeDataDir: () => Promise<void>
const logger = quietLogger()

beforeEach(async () => {
  ;({ directory: dataDir, remove: removeDataDir } = await temporaryDirectory())
})
afterEach(async () => {
  await removeDataDir()
})

function openManager(): Promise<DiskLogManager> {
  return openLogManager({ dataDir, logger, maintenanceIntervalMs: 0, recoveryPointCheckpointIntervalMs: 0 })
}

/** Stops using the files as a killed process would: no flush, no checkpoint, no marker. */
async function crash(manager: DiskLogManager): Promise<void> {
  for (const topic of manager.listTopics()) {
    for (let partition = 0; partition < topic.partitionCount; partition += 1) {
      for (const segment of manager.partition(topic.name, partition)!.segments) await segment.close()
    }
  }
}

const values = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, index) => `${from + index}:v${from + index}`)

async function setUp(
  count: number,
  segmentBytes = 1_000_000,
): Promise<{ manager: DiskLogManager; directory: string }> {
  const manager = await openManager()
  await manager.createTopic('t', {
    partitionCount: 1,
    configOverrides: { 'segment.bytes': String(segmentBytes) },
  })
  await appendValues(
    manager.partition('t', 0)!,
    Array.from({ length: count }, (_, index) => `v${index}`),
  )
  return { manager, directory: path.join(dataDir, 't-0') }
}

async function segmentFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.log')).sort()
}

test('a batch cut by the end of the file is dropped; appends continue after the last whole batch', async () => {
  const { manager, directory } = await setUp(10)
  await crash(manager)
  const file = path.join(directory, '00000000000000000000.log')
  const size = (await stat(file)).size
  await truncate(file, size - 5)
  const reopened = await openManager()
  const log = reopened.partition('t', 0)!
  assert.equal(log.logEndOffset, 9)
  assert.deepEqual(await readAll(log), values(0, 9))
  assert.equal((await log.append(await valueBatch('v9'), { durable: true })).baseOffset, 9)
  assert.deepEqual(await readAll(log), values(0, 10))
  assert.ok(logger.messages.includes('recovery truncated the log at the first invalid batch'))
  await reopened.close()
})

test('a garbage tail is cut off', async () => {
  const { manager, directory } = await setUp(5)
  await crash(manager)
  const file = path.join(directory, '00000000000000000000.log')
  const sizeBefore = (await stat(file)).size
  await appendFile(file, Buffer.from('this is not a record batch, just garbage bytes at the end of the log'))
  const reopened = await openManager()
  assert.deepEqual(await readAll(reopened.partition('t', 0)!), values(0, 5))
  assert.equal((await stat(file)).size, sizeBefore)
  await reopened.close()
})

test('a corrupted CRC in the middle ends the log there, later segments included', async () => {
  const { manager, directory } = await setUp(40, 400)
  const segmentsBefore = await segmentFiles(directory)
  assert.ok(segmentsBefore.length >= 5, `expected several segments, got ${segmentsBefore}`)
  await crash(manager)
  // Damage the third batch of the second segment (flip a byte of its record data).
  const second = path.join(directory, segmentsBefore[1])
  const baseOfSecond = Number(segmentsBefore[1].slice(0, 20))
  const handle = await open(second, 'r+')
  const header = Buffer.alloc(12)
  let position = 0
  for (let index = 0; index < 2; index += 1) {
    await handle.read(header, 0, 12, position)
    position += 12 + header.readInt32BE(8)
  }
  const byte = Buffer.alloc(1)
  await handle.read(byte, 0, 1, position + 65)
  byte[0] ^= 0xff
  await handle.write(byte, 0, 1, position + 65)
  await handle.close()
  const reopened = await openManager()
  const log = reopened.partition('t', 0)!
  assert.equal(log.logEndOffset, baseOfSecond + 2)
  assert.deepEqual(await readAll(log), values(0, baseOfSecond + 2))
  assert.deepEqual(await segmentFiles(directory), segmentsBefore.slice(0, 2))
  await appendValues(log, ['after'])
  assert.deepEqual((await readAll(log)).at(-1), `${baseOfSecond + 2}:after`)
  await reopened.close()
})

test('indexes are rebuilt: reads at every offset and timestamp lookups work after recovery', async () => {
  const manager = await openManager()
  await manager.createTopic('t', {
    partitionCount: 1,
    configOverrides: { 'segment.bytes': '2000', 'index.interval.bytes': '100' },
  })
  const log = manager.partition('t', 0)!
  for (let index = 0; index < 60; index += 1)
    await log.append(await valueBatch(`v${index}`, 5_000 + index), { durable: false })
  await crash(manager)
  for (const name of await readdir(path.join(dataDir, 't-0'))) {
    if (name.endsWith('index')) await truncate(path.join(dataDir, 't-0', name), 0)
  }
  const reopened = await openManager()
  const recovered = reopened.partition('t', 0)!
  for (let offset = 0; offset < 60; offset += 1) {
    const { records } = await recovered.read(offset, 1)
    assert.equal(records.readInt32BE(4), offset, `batch at ${offset}`)
  }
  assert.deepEqual(await recovered.offsetForTimestamp(5_031), { offset: 31, timestamp: 5_031 })
  assert.deepEqual(await recovered.maxTimestampOffset(), { offset: 59, timestamp: 5_059 })
  await reopened.close()
})

test('after a clean shutdown nothing is scanned: damage in a closed segment is not even seen', async () => {
  const { manager, directory } = await setUp(30, 400)
  await manager.close()
  const [first] = await segmentFiles(directory)
  const handle = await open(path.join(directory, first), 'r+')
  await handle.write(Buffer.from([0xff]), 0, 1, 70)
  await handle.close()
  const reopened = await openManager()
  const log = reopened.partition('t', 0)!
  assert.equal(log.logEndOffset, 30)
  assert.equal((await log.read(29, 10)).records.readInt32BE(4), 29)
  await reopened.close()
})

test('after a clean restart the active segment loads its indexes before the first append: entries from both sides of the restart are kept', async () => {
  const manager = await openManager()
  await manager.createTopic('t', { partitionCount: 1, configOverrides: { 'index.interval.bytes': '100' } })
  for (let index = 0; index < 30; index += 1)
    await manager.partition('t', 0)!.append(await valueBatch(`v${index}`, 5_000 + index), { durable: false })
  await manager.close()
  const indexFile = path.join(dataDir, 't-0', '00000000000000000000.index')
  const indexBefore = await readFile(indexFile)
  assert.ok(indexBefore.length > 0)
  // The open reads no index; the first append loads them and adds its entries after the old ones.
  const second = await openManager()
  for (let index = 30; index < 60; index += 1)
    await second.partition('t', 0)!.append(await valueBatch(`v${index}`, 5_000 + index), { durable: false })
  await second.close()
  const indexAfter = await readFile(indexFile)
  assert.ok(indexAfter.length > indexBefore.length)
  assert.deepEqual(indexAfter.subarray(0, indexBefore.length), indexBefore)
  const third = await openManager()
  const log = third.partition('t', 0)!
  for (let offset = 0; offset < 60; offset += 1) {
    const { records } = await log.read(offset, 1)
    assert.equal(records.readInt32BE(4), offset, `batch at ${offset}`)
  }
  assert.deepEqual(await log.offsetForTimestamp(5_012), { offset: 12, timestamp: 5_012 })
  assert.deepEqual(await log.offsetForTimestamp(5_047), { offset: 47, timestamp: 5_047 })
  assert.deepEqual(await log.maxTimestampOffset(), { offset: 59, timestamp: 5_059 })
  await third.close()
})

test('a clean open leaves the recovery-point checkpoint as it is; an open after a crash rewrites it', async () => {
  const checkpoint = path.join(dataDir, 'recovery-point-offset-checkpoint')
  const { manager } = await setUp(10)
  await manager.close()
  const written = await stat(checkpoint)
  assert.match(await readFile(checkpoint, 'utf8'), /^t 0 10$/m)
  const clean = await openManager()
  assert.equal((await stat(checkpoint)).mtimeMs, written.mtimeMs)
  await appendValues(clean.partition('t', 0)!, ['a', 'b'])
  await crash(clean)
  const recovered = await openManager()
  assert.equal(recovered.partition('t', 0)!.logEndOffset, 12)
  assert.match(await readFile(checkpoint, 'utf8'), /^t 0 12$/m)
  await recovered.close()
})

test('clean restart keeps topics, ids, configs, cluster id, log start offset and leader epochs', async () => {
  const manager = await openManager()
  const created = await manager.createTopic('kept', {
    partitionCount: 2,
    configOverrides: { 'segment.bytes': '300', 'retention.ms': '-1' },
  })
  const log = manager.partition('kept', 1)!
  for (let index = 0; index < 20; index += 1)
    await log.append(await valueBatch(`k${index}`), { durable: false, leaderEpoch: index < 10 ? 3 : 4 })
  await log.deleteRecordsBefore(12)
  const clusterId = manager.clusterId
  await manager.close()
  const reopened = await openManager()
  assert.equal(reopened.clusterId, clusterId)
  const topic = reopened.getTopic('kept')!
  assert.equal(topic.topicId, created.topicId)
  assert.deepEqual(topic.configOverrides, { 'segment.bytes': '300', 'retention.ms': '-1' })
  const again = reopened.partition('kept', 1)!
  assert.equal(again.logStartOffset, 12)
  assert.equal(again.logEndOffset, 20)
  assert.deepEqual(again.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 12 })
  assert.deepEqual(again.endOffsetForEpoch(4), { leaderEpoch: 4, endOffset: 20 })
  assert.deepEqual(
    await readAll(again),
    Array.from({ length: 8 }, (_, index) => `${index + 12}:k${index + 12}`),
  )
  await reopened.close()
})
