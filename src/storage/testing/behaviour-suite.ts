// The behavioural suite every storage engine passes (disk and in-memory), written once and run by
// src/storage/disk-engine.test.ts and src/storage/memory/memory-engine.test.ts.
// Goal: the LogManager/PartitionLog contract, observed through the public interface only.
// Method: real batches built by protocol/records, a manual clock, assertions on exact offsets,
// record values and Kafka error codes.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { KafkaError } from '../../errors.ts'
import type { LogManager, PartitionLog } from '../types.ts'
import { decodeRecordsOf, ManualClock, makeBatch, valueBatch } from './batches.ts'

export interface EngineUnderTest {
  name: string
  open(options: { clock: ManualClock }): Promise<{ manager: LogManager; cleanup: () => Promise<void> }>
}

export async function rejectsWithCode(promise: Promise<unknown>, errorCode: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KafkaError, `expected a KafkaError, got ${String(error)}`)
    assert.equal(error.errorCode, errorCode)
    return true
  })
}

/** Appends one single-record batch per value; returns the assigned offsets. */
export async function appendValues(
  log: PartitionLog,
  values: string[],
  timestamp = 1_000,
): Promise<number[]> {
  const offsets: number[] = []
  for (const value of values)
    offsets.push((await log.append(await valueBatch(value, timestamp), { durable: false })).baseOffset)
  return offsets
}

/** Reads every record from `from` to the log end, one read after the other, as a consumer does. */
export async function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
  maxBytes = 1_000_000,
): Promise<string[]> {
  const values: string[] = []
  let offset = from
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, maxBytes)
    const decoded = (await decodeRecordsOf(records)).filter((record) => record.offset >= offset)
    assert.ok(decoded.length > 0, `read at ${offset} returned nothing before the log end`)
    for (const record of decoded) values.push(`${record.offset}:${record.value}`)
    offset = decoded[decoded.length - 1].offset + 1
  }
  return values
}

export function describeStorageBehaviour(engine: EngineUnderTest): void {
  describe(`storage behaviour: ${engine.name}`, () => {
    const clock = new ManualClock()
    let manager: LogManager
    let cleanup: () => Promise<void>
    before(async () => {
      ;({ manager, cleanup } = await engine.open({ clock }))
    })
    after(async () => {
      await manager.close()
      await cleanup()
    })

    test('topics: create, describe, errors with Kafka codes', async () => {
      const created = await manager.createTopic('orders', {
        partitionCount: 3,
        configOverrides: { 'retention.ms': '1000' },
      })
      assert.equal(created.partitionCount, 3)
      assert.match(created.topicId, /^[0-9a-f-]{36}$/)
      assert.equal(created.config.retentionMs, 1000)
      assert.deepEqual(created.configOverrides, { 'retention.ms': '1000' })
      assert.equal(manager.getTopicById(created.topicId)?.name, 'orders')
      assert.ok(manager.partition('orders', 2) !== undefined)
      assert.equal(manager.partition('orders', 3), undefined)
      await rejectsWithCode(manager.createTopic('orders', { partitionCount: 1 }), 36)
      await rejectsWithCode(manager.createTopic('bad/name', { partitionCount: 1 }), 17)
      await rejectsWithCode(manager.createTopic('zero', { partitionCount: 0 }), 37)
      await rejectsWithCode(
        manager.createTopic('c1', { partitionCount: 1, configOverrides: { 'no.such': '1' } }),
        40,
      )
      await rejectsWithCode(
        manager.createTopic('c2', { partitionCount: 1, configOverrides: { 'segment.ms': 'x' } }),
        40,
      )
      await rejectsWithCode(
        manager.createTopic('c3', { partitionCount: 1, configOverrides: { 'cleanup.policy': 'x' } }),
        40,
      )
      assert.deepEqual(
        manager.listTopics().map((topic) => topic.name),
        ['orders'],
      )
      await rejectsWithCode(manager.deleteTopic('missing'), 3)
    })

    test('append assigns consecutive offsets; read returns the batch holding the fetch offset', async () => {
      await manager.createTopic('basic', { partitionCount: 1 })
      const log = manager.partition('basic', 0)!
      const first = await log.append(await makeBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }]), {
        durable: true,
      })
      assert.deepEqual(first, { baseOffset: 0, lastOffset: 2, logAppendTimeMs: -1, logStartOffset: 0 })
      const second = await log.append(await valueBatch('d'), { durable: false })
      assert.equal(second.baseOffset, 3)
      assert.equal(log.logEndOffset, 4)
      assert.equal(log.highWatermark, 4)
      const middle = await log.read(1, 1_000_000)
      const records = await decodeRecordsOf(middle.records)
      assert.deepEqual(
        records.map((record) => `${record.offset}:${record.value}`),
        ['0:a', '1:b', '2:c', '3:d'],
      )
      assert.equal(middle.highWatermark, 4)
      assert.equal(middle.lastStableOffset, 4)
      const atEnd = await log.read(4, 1000)
      assert.equal(atEnd.records.length, 0)
      await rejectsWithCode(log.read(5, 1000), 1)
      await rejectsWithCode(log.read(-1, 1000), 1)
    })

    test('maxBytes: at least one whole batch, never a cut batch', async () => {
      await manager.createTopic('limits', { partitionCount: 1 })
      const log = manager.partition('limits', 0)!
      await appendValues(log, ['x'.repeat(500), 'y'.repeat(500), 'z'.repeat(500)])
      const tiny = await decodeRecordsOf((await log.read(0, 10)).records)
      assert.deepEqual(
        tiny.map((record) => record.offset),
        [0],
      )
      const two = (await log.read(0, 1200)).records
      assert.deepEqual(
        (await decodeRecordsOf(two)).map((record) => record.offset),
        [0, 1],
      )
    })

    test('many segments: every offset reads back exactly, in order', async () => {
      await manager.createTopic('segmented', {
        partitionCount: 1,
        configOverrides: { 'segment.bytes': '1024', 'index.interval.bytes': '128' },
      })
      const log = manager.partition('segmented', 0)!
      const values = Array.from({ length: 300 }, (_, index) => `value-${index}`)
      assert.deepEqual(
        await appendValues(log, values),
        values.map((_, index) => index),
      )
      assert.deepEqual(
        await readAll(log),
        values.map((value, index) => `${index}:${value}`),
      )
      for (const offset of [0, 1, 17, 150, 298, 299]) {
        const records = await decodeRecordsOf((await log.read(offset, 1)).records)
        assert.deepEqual(
          records.map((record) => record.value),
          [`value-${offset}`],
        )
      }
    })

    test('offsetForTimestamp and maxTimestampOffset across segments', async () => {
      await manager.createTopic('times', { partitionCount: 1, configOverrides: { 'segment.bytes': '512' } })
      const log = manager.partition('times', 0)!
      assert.equal(await log.offsetForTimestamp(0), null)
      assert.equal(await log.maxTimestampOffset(), null)
      for (let index = 0; index < 40; index += 1) {
        await log.append(await valueBatch(`t${index}`, 10_000 + index * 10), { durable: false })
      }
      await log.append(await valueBatch('late-low', 10_005), { durable: false })
      assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: 10_000 })
      assert.deepEqual(await log.offsetForTimestamp(10_200), { offset: 20, timestamp: 10_200 })
      assert.deepEqual(await log.offsetForTimestamp(10_201), { offset: 21, timestamp: 10_210 })
      assert.deepEqual(await log.offsetForTimestamp(10_390), { offset: 39, timestamp: 10_390 })
      assert.equal(await log.offsetForTimestamp(10_391), null)
      assert.deepEqual(await log.maxTimestampOffset(), { offset: 39, timestamp: 10_390 })
    })

    test('deleteRecordsBefore advances the log start offset; earlier offsets are out of range', async () => {
      await manager.createTopic('trim', { partitionCount: 1, configOverrides: { 'segment.bytes': '300' } })
      const log = manager.partition('trim', 0)!
      await appendValues(
        log,
        Array.from({ length: 20 }, (_, index) => `r${index}`),
      )
      assert.equal(await log.deleteRecordsBefore(7), 7)
      assert.equal(log.logStartOffset, 7)
      assert.equal(await log.deleteRecordsBefore(3), 7)
      await rejectsWithCode(log.read(6, 1000), 1)
      await rejectsWithCode(log.deleteRecordsBefore(21), 1)
      assert.deepEqual(
        await readAll(log),
        Array.from({ length: 13 }, (_, index) => `${index + 7}:r${index + 7}`),
      )
      assert.deepEqual(await log.offsetForTimestamp(0), { offset: 7, timestamp: 1_000 })
      assert.equal(await log.deleteRecordsBefore(20), 20)
      assert.equal((await log.read(20, 1000)).records.length, 0)
    })

    test('leader epochs: recorded on append, answered like Kafka', async () => {
      await manager.createTopic('epochs', { partitionCount: 1 })
      const log = manager.partition('epochs', 0)!
      assert.deepEqual(log.endOffsetForEpoch(0), { leaderEpoch: -1, endOffset: -1 })
      for (const [epoch, count] of [
        [1, 3],
        [2, 2],
        [5, 4],
      ] as const) {
        for (let index = 0; index < count; index += 1) {
          await log.append(await valueBatch(`e${epoch}`), { durable: false, leaderEpoch: epoch })
        }
      }
      assert.equal(log.latestEpoch, 5)
      assert.deepEqual(log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 0 })
      assert.deepEqual(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 3 })
      assert.deepEqual(log.endOffsetForEpoch(3), { leaderEpoch: 2, endOffset: 5 })
      assert.deepEqual(log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: 9 })
      assert.deepEqual(log.endOffsetForEpoch(6), { leaderEpoch: -1, endOffset: -1 })
      const stored = (await log.read(3, 100)).records
      assert.equal(stored.readInt32BE(12), 2, 'partitionLeaderEpoch is stamped into the batch')
    })

    test('validation: corrupt CRC, oversize batch, empty input; nothing is appended', async () => {
      await manager.createTopic('strict', {
        partitionCount: 1,
        configOverrides: { 'max.message.bytes': '200' },
      })
      const log = manager.partition('strict', 0)!
      const corrupt = await valueBatch('hello')
      corrupt[corrupt.length - 1] ^= 0xff
      await rejectsWithCode(log.append(corrupt, { durable: true }), 2)
      await rejectsWithCode(log.append(await valueBatch('x'.repeat(300)), { durable: false }), 10)
      await rejectsWithCode(log.append(Buffer.alloc(0), { durable: false }), 87)
      const good = await valueBatch('ok')
      await rejectsWithCode(log.append(Buffer.concat([good, good.subarray(0, 30)]), { durable: false }), 2)
      assert.equal(log.logEndOffset, 0)
      assert.equal((await log.append(good, { durable: false })).baseOffset, 0)
    })

    test('LogAppendTime topics stamp the append time into the batch', async () => {
      await manager.createTopic('stamped', {
        partitionCount: 1,
        configOverrides: { 'message.timestamp.type': 'LogAppendTime' },
      })
      const log = manager.partition('stamped', 0)!
      const result = await log.append(await valueBatch('v', 5), { durable: false, logAppendTimeMs: 123_456 })
      assert.equal(result.logAppendTimeMs, 123_456)
      const [record] = await decodeRecordsOf((await log.read(0, 1000)).records)
      assert.equal(record.timestamp, 123_456)
    })

    test('concurrent durable appends get distinct offsets in resolution order of the log', async () => {
      await manager.createTopic('parallel', {
        partitionCount: 1,
        configOverrides: { 'segment.bytes': '4096' },
      })
      const log = manager.partition('parallel', 0)!
      const batches = await Promise.all(Array.from({ length: 200 }, (_, index) => valueBatch(`p${index}`)))
      const results = await Promise.all(batches.map((batch) => log.append(batch, { durable: true })))
      assert.deepEqual(
        results.map((result) => result.baseOffset).sort((a, b) => a - b),
        batches.map((_, index) => index),
      )
      const expected = results
        .map((result, index) => `${result.baseOffset}:p${index}`)
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
      assert.deepEqual(await readAll(log), expected)
    })

    test('waitForAppend wakes on append, times out, and honours abort', async () => {
      await manager.createTopic('waiting', { partitionCount: 1 })
      const log = manager.partition('waiting', 0)!
      const woken = log.waitForAppend(0, { timeoutMs: 60_000 })
      await log.append(await valueBatch('wake'), { durable: false })
      assert.equal(await woken, true)
      assert.equal(await log.waitForAppend(5, { timeoutMs: 1 }), false)
      const controller = new AbortController()
      const aborted = log.waitForAppend(5, { timeoutMs: 60_000, signal: controller.signal })
      controller.abort()
      assert.equal(await aborted, false)
      const seen: number[] = []
      const unsubscribe = log.onAppend((logEndOffset) => seen.push(logEndOffset))
      await appendValues(log, ['a', 'b'])
      unsubscribe()
      await appendValues(log, ['c'])
      assert.deepEqual(seen, [2, 3])
    })

    test('retention by time and by size removes whole closed segments only', async () => {
      const overrides = { 'segment.bytes': '250', 'retention.ms': '60000', 'retention.bytes': '-1' }
      await manager.createTopic('retained', { partitionCount: 1, configOverrides: overrides })
      const log = manager.partition('retained', 0)!
      const now = clock.now()
      for (let index = 0; index < 12; index += 1) {
        await log.append(await valueBatch(`old${index}`, now - 120_000), { durable: false })
      }
      for (let index = 0; index < 3; index += 1)
        await log.append(await valueBatch(`new${index}`, now), { durable: false })
      await manager.runRetention()
      const remaining = await readAll(log)
      assert.deepEqual(remaining.slice(-3), ['12:new0', '13:new1', '14:new2'])
      assert.ok(
        remaining.every((entry) => !entry.includes('old')),
        `old records left: ${remaining}`,
      )
      assert.equal(log.logStartOffset, 12)
      clock.advance(10 * 60_000)
      await manager.runRetention()
      assert.equal(log.logStartOffset, 12, 'the active segment is never deleted')
      await manager.setTopicConfig('retained', { 'segment.bytes': '250', 'retention.bytes': '300' })
      await appendValues(
        log,
        Array.from({ length: 12 }, (_, index) => `s${index}`),
        clock.now(),
      )
      const sizeBefore = log.sizeBytes
      await manager.runRetention()
      assert.ok(log.sizeBytes < sizeBefore && log.sizeBytes <= 300 + 250, `size ${log.sizeBytes}`)
      assert.equal((await readAll(log)).at(-1), '26:s11')
    })

    test('delete a topic and recreate it with the same name: empty, new id', async () => {
      const first = await manager.createTopic('again', { partitionCount: 2 })
      await appendValues(manager.partition('again', 1)!, ['old'])
      await manager.deleteTopic('again')
      assert.equal(manager.getTopic('again'), undefined)
      assert.equal(manager.partition('again', 1), undefined)
      const second = await manager.createTopic('again', { partitionCount: 1 })
      assert.notEqual(second.topicId, first.topicId)
      const log = manager.partition('again', 0)!
      assert.equal(log.logEndOffset, 0)
      await appendValues(log, ['new'])
      assert.deepEqual(await readAll(log), ['0:new'])
    })

    test('add partitions and alter configs', async () => {
      await manager.createTopic('grow', { partitionCount: 1 })
      await rejectsWithCode(manager.addPartitions('grow', 1), 37)
      const grown = await manager.addPartitions('grow', 3)
      assert.equal(grown.partitionCount, 3)
      await appendValues(manager.partition('grow', 2)!, ['p2'])
      assert.deepEqual(await readAll(manager.partition('grow', 2)!), ['0:p2'])
      const altered = await manager.setTopicConfig('grow', { 'cleanup.policy': 'delete,compact' })
      assert.equal(altered.config.cleanupPolicy, 'compact,delete')
      await rejectsWithCode(manager.setTopicConfig('grow', { 'retention.ms': '-5' }), 40)
      await rejectsWithCode(manager.addPartitions('nope', 2), 3)
    })
  })
}
