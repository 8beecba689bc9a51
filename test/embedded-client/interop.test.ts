// Goal: records written by the in-process producer are exactly what network clients read (kcat and
// kafkajs: keys, values, headers, timestamps, partitions, offsets, every codec), records written by a
// network producer (kafkajs) are exactly what the in-process consumer reads, the stored batches are
// the broker's batch builder's bytes with valid CRC32Cs (the append trusts the CRC of the batches the
// in-process producer built, so librdkafka checks them here), keyed records land where kafkajs puts
// them, and malformed input (missing topic, bad record shapes, bad options) answers typed errors while
// the broker keeps serving.
// Method: one embedded broker (startStreamline, in memory) for the file; real kcat and kafkajs over
// its socket; the in-process client on its result.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { type ConsumedRecord, type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { EncodeError, KafkaError } from '../../src/errors.ts'
import { validateBatch } from '../../src/protocol/records/batch-header.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { CompressionCodec } from '../../src/protocol/records/compression/index.ts'
import { requireClient } from '../helpers/clients.ts'
import { kcatConsume, waitFor } from './helpers.ts'

let streamline: Streamline
let kafka: Kafka

before(async () => {
  streamline = await startStreamline()
  kafka = new Kafka({ brokers: [streamline.bootstrap], clientId: 'interop-test', logLevel: logLevel.NOTHING })
  await streamline.admin().createTopics([
    { name: 'in-to-net', partitions: 3 },
    { name: 'codecs', partitions: 1 },
    { name: 'net-to-in', partitions: 2 },
  ])
})

after(async () => {
  await streamline.close()
})

const baseTime = 1_700_000_000_000
const sent = Array.from({ length: 12 }, (_, index) => ({
  key: index % 4 === 3 ? null : `key-${index}`,
  value: index === 5 ? null : `value-${index}`,
  headers: [
    { key: 'trace', value: `t-${index}` },
    { key: 'trace', value: Buffer.from([0, 255, index]) },
  ],
  partition: index % 3,
  timestamp: baseTime + index,
}))

describe('in-process producer → network consumers', () => {
  let offsets: { partition: number; offset: number; timestamp: number; topic: string }[]

  before(async () => {
    const producer = streamline.producer({ compression: 'gzip' })
    offsets = await producer.send('in-to-net', sent)
    await producer.close()
  })

  it('send answers each record partition, offset and timestamp in order', () => {
    const perPartition = [0, 0, 0]
    assert.deepEqual(
      offsets,
      sent.map((record) => ({
        topic: 'in-to-net',
        partition: record.partition,
        offset: perPartition[record.partition]++,
        timestamp: record.timestamp,
      })),
    )
  })

  it('kafkajs reads exactly what was sent', { timeout: 60_000 }, async () => {
    const consumer = kafka.consumer({ groupId: 'kafkajs-reader', heartbeatInterval: 500 })
    const received: {
      partition: number
      offset: number
      key: string | null
      value: string | null
      timestamp: number
      headers: [string, string][]
    }[] = []
    await consumer.connect()
    await consumer.subscribe({ topic: 'in-to-net', fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        // kafkajs folds repeated header keys into an array.
        const trace = message.headers?.trace
        const values = Array.isArray(trace) ? trace : [trace]
        received.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString('hex') ?? null,
          timestamp: Number(message.timestamp),
          headers: values.map((value) => ['trace', Buffer.from(value ?? '').toString('hex')]),
        })
      },
    })
    await waitFor('kafkajs to read 12 records', () => (received.length >= 12 ? true : undefined), 40_000)
    await consumer.disconnect()
    received.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    const expected = sent
      .map((record, index) => ({
        partition: record.partition,
        offset: offsets[index].offset,
        key: record.key,
        value: record.value === null ? null : Buffer.from(record.value).toString('hex'),
        timestamp: record.timestamp,
        headers: record.headers.map((header): [string, string] => [
          header.key,
          Buffer.from(header.value).toString('hex'),
        ]),
      }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    assert.deepEqual(received, expected)
  })

  it('kcat reads exactly what was sent', { skip: requireClient('kcat') }, async () => {
    const records = await kcatConsume(streamline.bootstrap, 'in-to-net')
    const actual = records
      .map((record) => ({
        partition: record.partition,
        offset: record.offset,
        ts: record.ts,
        tstype: record.tstype,
        key: record.key,
        payload: record.payload,
        headers: record.headers,
      }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    const expected = sent
      .map((record, index) => ({
        partition: record.partition,
        offset: offsets[index].offset,
        ts: record.timestamp,
        tstype: 'create',
        key: record.key,
        payload: record.value,
        // kcat -J prints header values as text; the binary one is checked by kafkajs above.
        headers: ['trace', `t-${index}`, 'trace', Buffer.from([0, 255, index]).toString('latin1')],
      }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    assert.deepEqual(
      actual.map(({ headers, ...rest }) => ({ ...rest, firstHeader: headers?.slice(0, 2) })),
      expected.map(({ headers, ...rest }) => ({ ...rest, firstHeader: headers.slice(0, 2) })),
    )
    assert.deepEqual(
      actual.map((record) => record.headers?.length),
      expected.map(() => 4),
    )
  })

  it('every codec: kcat (librdkafka) decompresses what the in-process producer stored', {
    skip: requireClient('kcat'),
  }, async () => {
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
    for (const compression of codecs) {
      const producer = streamline.producer({ compression })
      const records = Array.from({ length: 20 }, (_, index) => ({
        key: `${compression}-${index}`,
        value: `${compression} ${'x'.repeat(index * 10)}`,
        timestamp: baseTime,
      }))
      await producer.send('codecs', records)
      await producer.close()
    }
    // check.crcs: librdkafka verifies every batch's CRC32C.
    const read = await kcatConsume(streamline.bootstrap, 'codecs', ['-X', 'check.crcs=true'])
    assert.deepEqual(
      read.map((record) => [record.offset, record.key, record.payload]),
      codecs.flatMap((compression, batch) =>
        Array.from({ length: 20 }, (_, index) => [
          batch * 20 + index,
          `${compression}-${index}`,
          `${compression} ${'x'.repeat(index * 10)}`,
        ]),
      ),
    )
  })
})

describe('what the in-process producer stores', () => {
  it('every codec: the stored batch is buildBatch of the same records, and its CRC32C verifies', async () => {
    await streamline.admin().createTopics([{ name: 'stored-bytes', partitions: 1 }])
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
    const recordsOf = (compression: string) =>
      Array.from({ length: 30 }, (_, index) => ({
        key: index % 7 === 0 ? null : `${compression}-${index}`,
        value: index % 11 === 5 ? null : `${compression} ${'v'.repeat(index * 7)}`,
        headers: index % 3 === 0 ? [{ key: 'h', value: `x${index}` }] : undefined,
        timestamp: baseTime + (index % 5) * 1000 - 2000,
      }))
    for (const compression of codecs) {
      const producer = streamline.producer({ compression })
      await producer.send('stored-bytes', recordsOf(compression))
      await producer.close()
    }
    const log = streamline.broker.logs.partition('stored-bytes', 0)
    assert.ok(log !== undefined)
    const { records: stored } = await log.read(0, 1 << 20)
    let position = 0
    for (const [batch, compression] of codecs.entries()) {
      const { header, sizeBytes } = validateBatch(stored, position, { origin: 'log' })
      const expected = await buildBatch({
        records: recordsOf(compression).map((record) => ({
          timestamp: record.timestamp,
          key: record.key === null ? null : Buffer.from(record.key),
          value: record.value === null ? null : Buffer.from(record.value),
          headers: (record.headers ?? []).map((header) => ({
            key: header.key,
            value: Buffer.from(header.value),
          })),
        })),
        compression: CompressionCodec[compression],
        baseOffset: batch * 30,
        partitionLeaderEpoch: header.partitionLeaderEpoch,
      })
      assert.ok(stored.subarray(position, position + sizeBytes).equals(expected), `${compression} batch`)
      position += sizeBytes
    }
    assert.equal(position, stored.length)
  })
})

describe('partitioners', () => {
  it('keyed records land where the DefaultPartitioner of kafkajs (murmur2, as the Java client) puts them', async () => {
    await streamline.admin().createTopics([{ name: 'placement', partitions: 5 }])
    const keys = Array.from({ length: 40 }, (_, index) => `customer-${index * 37}`)
    const sentTo = await streamline.producer().send(
      'placement',
      keys.map((key) => ({ key, value: 'v' })),
    )
    const kafkajsPartitioner = Partitioners.DefaultPartitioner()
    const partitionMetadata = Array.from({ length: 5 }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }))
    assert.deepEqual(
      sentTo.map((metadata) => metadata.partition),
      keys.map((key) =>
        kafkajsPartitioner({ topic: 'placement', partitionMetadata, message: { key, value: 'v' } }),
      ),
    )
  })

  it('a one-partition topic: records go to 0, and a partitioner function is still asked', async () => {
    await streamline.admin().createTopics([{ name: 'single', partitions: 1 }])
    const asked: number[] = []
    const producer = streamline.producer({
      partitioner: ({ partitionCount }) => {
        asked.push(partitionCount)
        return 0
      },
    })
    const sentTo = await producer.send('single', [{ key: 'a', value: '1' }, { value: '2' }])
    assert.deepEqual(asked, [1, 1])
    assert.deepEqual(
      sentTo.map((metadata) => [metadata.partition, metadata.offset]),
      [
        [0, 0],
        [0, 1],
      ],
    )
    const keyed = await streamline.producer().send('single', [{ key: 'b', value: '3' }, { value: '4' }])
    assert.deepEqual(
      keyed.map((metadata) => [metadata.partition, metadata.offset]),
      [
        [0, 2],
        [0, 3],
      ],
    )
  })
})

describe('network producer (kafkajs) → in-process consumer', () => {
  it('reads exactly what kafkajs produced, batch by batch and record by record', async () => {
    const producer = kafka.producer()
    await producer.connect()
    const messages = Array.from({ length: 10 }, (_, index) => ({
      key: index === 4 ? null : `k${index}`,
      value: index === 7 ? null : Buffer.from([index, 0, 200]),
      headers: { h: `v${index}` },
      timestamp: String(baseTime + 1000 + index),
      partition: index % 2,
    }))
    await producer.send({ topic: 'net-to-in', messages })
    await producer.disconnect()

    const consumer = streamline.consumer({ fromBeginning: true })
    await consumer.subscribe('net-to-in')
    const received: ConsumedRecord[] = []
    for await (const record of consumer) {
      received.push(record)
      if (received.length === 10) break
    }
    await consumer.close()
    received.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    const expected = messages
      .map((message, index) => ({
        topic: 'net-to-in',
        partition: message.partition,
        offset: Math.floor(index / 2),
        timestamp: baseTime + 1000 + index,
        timestampType: 0 as const,
        key: message.key === null ? null : Buffer.from(message.key),
        value: message.value,
        headers: [{ key: 'h', value: Buffer.from(`v${index}`) }],
      }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    assert.deepEqual(received, expected)
  })

  it('latest (no fromBeginning) starts after what is already there; seek goes back', async () => {
    const consumer = streamline.consumer()
    await consumer.subscribe(/^net-to-/)
    const producer = streamline.producer()
    await producer.send('net-to-in', [{ value: 'after-subscribe', partition: 1 }])
    const iterator = consumer[Symbol.asyncIterator]()
    const first = await iterator.next()
    assert.equal(first.done, false)
    assert.deepEqual(
      [first.value?.partition, first.value?.offset, first.value?.value?.toString()],
      [1, 5, 'after-subscribe'],
    )
    consumer.seek('net-to-in', 1, 4)
    const again = await iterator.next()
    assert.deepEqual([again.value?.offset, again.value?.key?.toString()], [4, 'k9'])
    await consumer.close()
    assert.equal((await iterator.next()).done, true)
  })
})

describe('malformed input answers typed errors', () => {
  it('a topic that does not exist: KafkaError UNKNOWN_TOPIC_OR_PARTITION (3); nothing is created', async () => {
    const producer = streamline.producer()
    await assert.rejects(producer.send('no-such-topic', [{ value: 'x' }]), (error: unknown) => {
      assert.ok(error instanceof KafkaError)
      assert.equal(error.errorCode, 3)
      return true
    })
    assert.equal(streamline.broker.logs.getTopic('no-such-topic'), undefined)
    await assert.rejects(
      streamline.consumer().subscribe('no-such-topic'),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 3,
    )
  })

  it('bad record shapes: EncodeError, and nothing is stored', async () => {
    const producer = streamline.producer()
    const bad: unknown[] = [
      [{ value: 42 }],
      [{ value: 'x', key: { a: 1 } }],
      [{ value: 'x', headers: 'nope' }],
      [{ value: 'x', headers: [{ value: 'no key' }] }],
      [{ value: 'x', partition: 7 }],
      [{ value: 'x', partition: -1 }],
      [{ value: 'x', timestamp: 'yesterday' }],
      [null],
      'not-an-array',
    ]
    for (const records of bad) {
      await assert.rejects(
        producer.send('codecs', records as never),
        (error: unknown) => error instanceof EncodeError,
        `expected EncodeError for ${JSON.stringify(records)}`,
      )
    }
    assert.deepEqual(await streamline.admin().topicOffsets('codecs'), [
      { partition: 0, earliest: 0, latest: 100 },
    ])
    // The broker still serves.
    assert.deepEqual(await producer.send('codecs', [{ value: 'fine', timestamp: baseTime }]), [
      { topic: 'codecs', partition: 0, offset: 100, timestamp: baseTime },
    ])
  })

  it('a record above max.message.bytes: KafkaError MESSAGE_TOO_LARGE (10) from the produce path', async () => {
    await streamline
      .admin()
      .createTopics([{ name: 'small', partitions: 1, configs: { 'max.message.bytes': '1000' } }])
    await assert.rejects(
      streamline.producer().send('small', [{ value: Buffer.alloc(5000) }]),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 10,
    )
  })

  it('bad options: unknown compression, acks 2, idempotence without acks=all', () => {
    assert.throws(() => streamline.producer({ compression: 'brotli' as never }), EncodeError)
    assert.throws(
      () => streamline.producer({ acks: 2 as never }),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 21,
    )
    assert.throws(
      () => streamline.producer({ idempotent: true, acks: 1 }),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 21,
    )
  })
})
