// Goal: a Fetch whose records are streamed from the log to the socket (log slices, pooled chunks:
// src/broker/handlers/fetch/streamed-records.ts) sends exactly the bytes the assembled response (records
// read into memory first) sends, for many response shapes, and real clients consume through it.
// Method: one in-process broker. Partitions are filled with a raw Produce (empty, small, many batches,
// one batch larger than the partition budget, batches of several records for fetch offsets in the
// middle of a batch); a read_committed topic gets aborted, committed and one still open transaction
// from kafkajs. Each raw Fetch (v11, v12, v16) is sent twice on one connection: once with every read
// streamed (limits.fetchStreamBytesMin = 1) and once with none (2147483647); the two response frames
// must be byte-identical and decode. Then kafkajs consumes a topic many times larger than one response
// (max bytes 256 KiB) with streaming at its default and must receive every record, in order.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { pooledBufferCount } from '../../src/broker/handlers/fetch/streamed-records.ts'
import { createDefaultFetchPartition } from '../../src/protocol/generated/fetch-request.ts'
import { ErrorCode } from '../../src/protocol/generated/index.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { type InProcessBroker, startInProcessBroker } from '../helpers/in-process-broker.ts'
import {
  CodecClient,
  decodeResponse,
  encodeRequest,
  fetchRequestBody,
  produceRequestBody,
  type RequestOf,
} from '../helpers/kafka-codec-client.ts'

const kib = 1024
const streamedAlways = 1
const streamedNever = 0x7fffffff
const topic = 'streamed-shapes'
const txnTopic = 'streamed-txn'
const consumedTopic = 'streamed-consumed'

let broker: InProcessBroker
let client: CodecClient

/** Batches of `records` records of `valueBytes` random bytes each, produced one request per batch. */
async function produceBatches(partition: number, batches: number, records: number, valueBytes: number) {
  for (let index = 0; index < batches; index += 1) {
    const batch = await buildBatch({
      records: Array.from({ length: records }, () => ({
        timestamp: Date.now(),
        value: randomBytes(valueBytes),
      })),
    })
    const response = await client.request(0, 9, produceRequestBody(topic, partition, batch))
    assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
  }
}

before(async () => {
  broker = await startInProcessBroker()
  await broker.broker.logs.createTopic(topic, { partitionCount: 6 })
  await broker.broker.logs.createTopic(txnTopic, { partitionCount: 1 })
  await broker.broker.logs.createTopic(consumedTopic, { partitionCount: 2 })
  client = await CodecClient.open(broker.broker.host, broker.broker.port)
  // p0 stays empty.
  await produceBatches(1, 3, 2, 300) // small: read into memory whatever the limit
  await produceBatches(2, 40, 4, 5 * kib) // 40 batches of ~20 KiB
  await produceBatches(3, 1, 3, 100 * kib) // one batch of ~300 KiB: larger than a 256 KiB budget
  await produceBatches(3, 10, 1, 5 * kib)
  await produceBatches(4, 200, 1, 5 * kib) // many index entries
  await produceBatches(5, 2, 1, 100 * kib)
})

after(async () => {
  client?.close()
  await broker?.stop()
})

interface Shape {
  name: string
  version: number
  maxBytes: number
  partitionMaxBytes: number
  offsets?: Record<number, bigint>
  isolationLevel?: number
  topic?: string
  partitions?: number[]
}

function fetchBody(shape: Shape): RequestOf<1> {
  const partitions = shape.partitions ?? [0, 1, 2, 3, 4, 5]
  const name = shape.topic ?? topic
  const topicId = shape.version >= 13 ? broker.broker.logs.getTopic(name)?.topicId : undefined
  const body = fetchRequestBody(name, 0, 0n, { maxWaitMs: 0, maxBytes: shape.maxBytes, topicId })
  body.isolationLevel = shape.isolationLevel ?? 0
  body.topics[0].partitions = partitions.map((partition) => ({
    ...createDefaultFetchPartition(),
    partition,
    fetchOffset: shape.offsets?.[partition] ?? 0n,
    partitionMaxBytes: shape.partitionMaxBytes,
  }))
  return body
}

/** The response frame (after the correlation id) of `shape` with reads streamed from `streamBytesMin`. */
async function rawFetch(shape: Shape, streamBytesMin: number): Promise<Buffer> {
  broker.broker.services.limits.fetchStreamBytesMin = streamBytesMin
  const correlationId = client.takeCorrelationId()
  await client.connection.write(encodeRequest(1, shape.version, correlationId, fetchBody(shape)))
  const find = () => client.connection.frames.findIndex((frame) => frame.correlationId === correlationId)
  await client.connection.waitFor(() => find() !== -1 || client.connection.closed, 10_000)
  const index = find()
  assert.notEqual(index, -1, `no Fetch response (${shape.name})`)
  const [frame] = client.connection.frames.splice(index, 1)
  return Buffer.from(frame.rest)
}

function decoded(shape: Shape, rest: Buffer) {
  const whole = Buffer.alloc(4 + rest.length)
  rest.copy(whole, 4)
  return decodeResponse(1, shape.version, whole)
}

async function assertSameBytes(shape: Shape): Promise<ReturnType<typeof decoded>> {
  const streamed = await rawFetch(shape, streamedAlways)
  const assembled = await rawFetch(shape, streamedNever)
  assert.equal(streamed.length, assembled.length, `${shape.name}: response sizes`)
  assert.ok(streamed.equals(assembled), `${shape.name}: response bytes differ`)
  return decoded(shape, streamed)
}

const mib = 1024 * kib

it('streams the same bytes as the assembled response, for many shapes', async () => {
  const shapes: Shape[] = [
    { name: 'v12 everything', version: 12, maxBytes: 50 * mib, partitionMaxBytes: mib },
    { name: 'v11 256 KiB per partition', version: 11, maxBytes: 50 * mib, partitionMaxBytes: 256 * kib },
    { name: 'v16 response limit 400 KiB', version: 16, maxBytes: 400 * kib, partitionMaxBytes: 256 * kib },
    { name: 'v12 response limit below one batch', version: 12, maxBytes: 10 * kib, partitionMaxBytes: mib },
    {
      name: 'v12 offsets in the middle of batches and past the end',
      version: 12,
      maxBytes: 50 * mib,
      partitionMaxBytes: 100 * kib,
      offsets: { 1: 3n, 2: 37n, 3: 2n, 4: 150n, 5: 2n },
    },
    {
      name: 'v12 one partition over several segments of budget',
      version: 12,
      maxBytes: 50 * mib,
      partitionMaxBytes: 64 * kib + 7,
      partitions: [4, 2],
    },
  ]
  for (const shape of shapes) {
    const response = await assertSameBytes(shape)
    assert.equal(response.errorCode, ErrorCode.NONE)
    for (const partition of response.responses[0].partitions)
      assert.equal(partition.errorCode, ErrorCode.NONE, `${shape.name}: p${partition.partitionIndex}`)
  }
  const everything = await assertSameBytes(shapes[0])
  const sizes = everything.responses[0].partitions.map((partition) => partition.records?.length ?? 0)
  assert.equal(sizes[0], 0)
  assert.ok(sizes[2] > 700 * kib && sizes[4] > 900 * kib, `sizes ${sizes}`)
  // KIP-74: the 300 KiB batch goes whole to a 256 KiB budget when it comes first.
  const oversized = await assertSameBytes({
    name: 'v12 first batch over budget',
    version: 12,
    maxBytes: 50 * mib,
    partitionMaxBytes: 256 * kib,
    partitions: [3],
  })
  assert.ok((oversized.responses[0].partitions[0].records?.length ?? 0) > 256 * kib)
})

it('streams read_committed responses identically: aborted transactions listed, open one cut', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, clientId: 'streamed' })
  const producer = kafka.producer({
    transactionalId: 'streamed-txn',
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  const messages = (tag: string) =>
    Array.from({ length: 8 }, (_, index) => ({ key: `${tag}-${index}`, value: randomBytes(20 * kib) }))
  try {
    for (const [tag, commit] of [
      ['a', false],
      ['b', true],
      ['c', false],
      ['d', true],
    ] as const) {
      const transaction = await producer.transaction()
      await transaction.send({ topic: txnTopic, messages: messages(tag) })
      if (commit) await transaction.commit()
      else await transaction.abort()
    }
    const open = await producer.transaction()
    await open.send({ topic: txnTopic, messages: messages('open') })
    const shape: Shape = {
      name: 'read_committed',
      version: 12,
      maxBytes: 50 * mib,
      partitionMaxBytes: 4 * mib,
      isolationLevel: 1,
      topic: txnTopic,
      partitions: [0],
    }
    const response = await assertSameBytes(shape)
    const partition = response.responses[0].partitions[0]
    assert.equal(partition.abortedTransactions?.length, 2)
    assert.ok(partition.lastStableOffset < partition.highWatermark, 'the open transaction holds the LSO back')
    assert.ok((partition.records?.length ?? 0) > 4 * 8 * 20 * kib)
    await assertSameBytes({ ...shape, name: 'read_committed, 100 KiB budget', partitionMaxBytes: 100 * kib })
    await assertSameBytes({ ...shape, name: 'read_uncommitted', isolationLevel: 0 })
    await open.abort()
  } finally {
    await producer.disconnect()
  }
})

it('kafkajs consumes a topic many responses long, streamed, every record in order', async () => {
  broker.broker.services.limits.fetchStreamBytesMin = 64 * kib
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, clientId: 'streamed' })
  const producer = kafka.producer()
  await producer.connect()
  const perPartition = 300
  const values = new Map<string, Buffer>()
  try {
    for (let round = 0; round < 6; round += 1) {
      const messages = Array.from({ length: (2 * perPartition) / 6 }, (_, index) => {
        const key = `k-${round}-${index}`
        const value = randomBytes(8 * kib)
        values.set(key, value)
        return { key, value, partition: index % 2 }
      })
      await producer.send({ topic: consumedTopic, messages })
    }
  } finally {
    await producer.disconnect()
  }
  const consumer = kafka.consumer({
    groupId: 'streamed-consumer',
    maxBytes: 256 * kib,
    maxBytesPerPartition: 128 * kib,
    maxWaitTimeInMs: 100,
  })
  await consumer.connect()
  const seen = new Map<number, bigint[]>([
    [0, []],
    [1, []],
  ])
  let received = 0
  try {
    await consumer.subscribe({ topic: consumedTopic, fromBeginning: true })
    const done = new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString() ?? ''
            assert.ok(values.get(key)?.equals(message.value ?? Buffer.alloc(0)), `value of ${key}`)
            seen.get(partition)?.push(BigInt(message.offset))
            received += 1
            if (received === values.size) resolve()
          },
        })
        .catch(reject)
    })
    await done
  } finally {
    await consumer.disconnect()
  }
  for (const [partition, offsets] of seen) {
    assert.deepEqual(
      offsets,
      offsets.map((_, index) => BigInt(index)),
      `partition ${partition}: offsets in order, none twice`,
    )
  }
  assert.equal(received, 2 * perPartition)
  assert.ok(pooledBufferCount() > 0, 'streamed chunks went back to the pool')
})
