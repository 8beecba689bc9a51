// Goal: the S3 sink (Confluent's S3SinkConnector options) writes each topic-partition's records as JSON
// lines in objects named topics/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json, flush.size
// records each; after a SIGKILL of the broker every record is in exactly one object (the names carry
// the offsets, so re-reading after the crash rewrites the same objects); rotate.interval.ms (record
// time) and the FieldPartitioner cut and place objects as Confluent's do; AvroFormat and ParquetFormat
// objects hold exactly the records, in order, once each across a second SIGKILL.
// Method: a real S3 API server process (s3rver) and a real broker process; kafkajs produces; the
// connectors are created with curl; the AWS SDK lists and reads the bucket; avsc's container decoder
// and hyparquet read the Avro and Parquet objects.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { crc32 } from '@node-rs/crc32'
import avro from 'avsc'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { uncompressSync } from 'snappy'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../helpers/s3-server.ts'
import { readTopic } from './topic-reader.ts'

let s3: S3Server | null = null
let broker: BrokerProcess | null = null
/** No initial rebalance delay: every sink's group and every reader joins at once (a shorter test). */
const quickGroups = ['--groups-initial-rebalance-delay-ms', '0']
let dataDir = ''
before(async () => {
  s3 = await startS3Server('connect-sink')
  dataDir = await makeTempDir('streamline-s3-sink-')
})
after(async () => {
  await broker?.stop()
  await s3?.dispose()
  if (dataDir !== '') await removeTempDir(dataDir)
})

function s3Client(server: S3Server): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3rverAccessKey, secretAccessKey: s3rverAccessKey },
  })
}

async function objects(client: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  const found = new Map<string, string>()
  for (const entry of listed.Contents ?? []) {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.Key }))
    found.set(entry.Key ?? '', (await object.Body?.transformToString()) ?? '')
  }
  return found
}

async function produce(
  producer: Producer,
  topic: string,
  partition: number,
  from: number,
  to: number,
): Promise<void> {
  const messages = []
  for (let id = from; id < to; id++) messages.push({ partition, value: JSON.stringify({ id, partition }) })
  await producer.send({ topic, messages })
}

test('S3 sink: flush.size objects per topic-partition, exactly once across a SIGKILL', {
  timeout: 180_000,
}, async () => {
  const server = s3 as S3Server
  const client = s3Client(server)
  broker = await startBrokerProcess({ dataDir, args: quickGroups })
  const kafka = new Kafka({
    clientId: 's3-sink-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 's3-orders', numPartitions: 2 },
      { topic: 's3-regions', numPartitions: 1 },
    ],
  })
  await admin.disconnect()
  let producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  for (const partition of [0, 1]) await produce(producer, 's3-orders', partition, 0, 35)
  const base = connectUrlOf(broker)
  const common = {
    's3.bucket.name': server.bucket,
    'store.url': server.endpoint,
    's3.region': 'us-east-1',
    'aws.access.key.id': s3rverAccessKey,
    'aws.secret.access.key': s3rverAccessKey,
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  }
  const created = await curl('POST', `${base}/connectors`, {
    name: 's3-orders-sink',
    config: {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      topics: 's3-orders',
      'flush.size': '10',
      ...common,
    },
  })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 's3-orders-sink', 'RUNNING')
  const name = (partition: number, offset: number) =>
    `topics/s3-orders/partition=${partition}/s3-orders+${partition}+${String(offset).padStart(10, '0')}.json`
  const waitObjects = (count: number) =>
    waitFor(`${count} objects`, async () => {
      const found = await objects(client, server.bucket, 'topics/s3-orders/')
      return found.size >= count ? found : undefined
    })
  const firstObjects = await waitObjects(6)
  assert.deepEqual([...firstObjects.keys()].sort(), [
    name(0, 0),
    name(0, 10),
    name(0, 20),
    name(1, 0),
    name(1, 10),
    name(1, 20),
  ])
  assert.equal(
    firstObjects.get(name(1, 10)),
    `${Array.from({ length: 10 }, (_, index) => JSON.stringify({ id: 10 + index, partition: 1 })).join('\n')}\n`,
  )

  // Ten more per partition, then SIGKILL: the 5 records in each open file were never committed.
  for (const partition of [0, 1]) await produce(producer, 's3-orders', partition, 25, 35)
  await producer.disconnect()
  await broker.kill()
  broker = await startBrokerProcess({ dataDir, args: quickGroups })
  const again = new Kafka({
    clientId: 's3-sink-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  producer = again.producer({ idempotent: true, maxInFlightRequests: 1 }) // no duplicates from retries
  await producer.connect()
  for (const partition of [0, 1]) await produce(producer, 's3-orders', partition, 35, 40)
  // Every record of the topic (as kafkajs reads it) is in exactly one object, in offset order.
  const inKafka = await readTopic(broker.bootstrap, 's3-orders', 80)
  const byPartition = [0, 1].map((partition) =>
    inKafka.filter((record) => record.partition === partition).map((record) => record.value ?? ''),
  )
  const complete = byPartition.map((values) => Math.floor(values.length / 10) * 10)
  const all = await waitObjects(complete[0] / 10 + complete[1] / 10)
  assert.deepEqual(
    [...all.keys()].sort(),
    [0, 1].flatMap((partition) =>
      Array.from({ length: complete[partition] / 10 }, (_, index) => name(partition, index * 10)),
    ),
  )
  for (const partition of [0, 1]) {
    const stored = Array.from({ length: complete[partition] / 10 }, (_, index) =>
      (all.get(name(partition, index * 10)) ?? '').trim().split('\n'),
    ).flat()
    assert.deepEqual(stored, byPartition[partition].slice(0, complete[partition]), `partition ${partition}`)
  }
  const ids = new Set(byPartition[0].map((value) => (JSON.parse(value) as { id: number }).id))
  assert.equal(ids.size, 40, 'every produced record is in the topic')

  // rotate.interval.ms by record time and the FieldPartitioner.
  const t0 = Date.parse('2026-01-01T00:00:00Z')
  await producer.send({
    topic: 's3-regions',
    messages: [
      { value: JSON.stringify({ region: 'eu', n: 0 }), timestamp: String(t0) },
      { value: JSON.stringify({ region: 'us', n: 1 }), timestamp: String(t0 + 10) },
      { value: JSON.stringify({ region: 'eu', n: 2 }), timestamp: String(t0 + 100) },
      { value: JSON.stringify({ region: 'eu', n: 3 }), timestamp: String(t0 + 1_500) },
    ],
  })
  await producer.disconnect()
  const restartedBase = connectUrlOf(broker)
  await curl('POST', `${restartedBase}/connectors`, {
    name: 's3-regions-sink',
    config: {
      'connector.class': 'S3SinkConnector',
      topics: 's3-regions',
      'flush.size': '100',
      'rotate.interval.ms': '1000',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner',
      'partition.field.name': 'region',
      ...common,
    },
  })
  const regions = await waitFor('the eu object', async () => {
    const found = await objects(client, server.bucket, 'topics/s3-regions/')
    return found.size >= 1 ? found : undefined
  })
  assert.deepEqual(Object.fromEntries(regions), {
    'topics/s3-regions/region=eu/s3-regions+0+0000000000.json':
      '{"region":"eu","n":0}\n{"region":"eu","n":2}\n',
  })
  client.destroy()
})

// Avro and Parquet (format.class): the objects are read back with avsc's container decoder and
// hyparquet, readers no one here wrote. Values carry a schema (JsonConverter's envelope, produced by
// kafkajs); the Avro topic changes schema at offset 8, which closes the open object as Confluent's
// schema.compatibility=NONE does. A SIGKILL while objects are open: afterwards every record is in
// exactly one object.

const orderFieldsA = [
  { field: 'id', type: 'int32', optional: false },
  { field: 'big', type: 'int64', optional: false },
  { field: 'note', type: 'string', optional: true },
]
const orderFieldsB = [...orderFieldsA, { field: 'qty', type: 'int16', optional: true }]
const parquetFields = [
  { field: 'id', type: 'int32', optional: false },
  { field: 'price', type: 'float64', optional: false },
  { field: 'ok', type: 'boolean', optional: false },
  { field: 'note', type: 'string', optional: true },
  { field: 'tags', type: 'array', optional: false, items: { type: 'string', optional: false } },
  {
    field: 'at',
    type: 'int64',
    optional: false,
    name: 'org.apache.kafka.connect.data.Timestamp',
    version: 1,
  },
  {
    field: 'where',
    type: 'struct',
    optional: true,
    name: 'shop.Place',
    fields: [{ field: 'city', type: 'string', optional: false }],
  },
]
const t0 = Date.parse('2026-01-01T00:00:00Z')

function avroOrder(id: number): { schema: unknown; payload: Record<string, unknown> } {
  const fields = id < 8 ? orderFieldsA : orderFieldsB
  const payload: Record<string, unknown> = { id, big: 2 ** 40 + id, note: id % 3 === 0 ? null : `n${id}` }
  if (id >= 8) payload.qty = id % 2 === 0 ? id * 10 : null
  return { schema: { type: 'struct', optional: false, name: 'shop.Order', fields }, payload }
}

function parquetRow(id: number): Record<string, unknown> {
  return {
    id,
    price: id + 0.25,
    ok: id % 2 === 0,
    note: id % 4 === 0 ? null : `row ${id}`,
    tags: Array.from({ length: id % 3 }, (_, index) => `t${index}`),
    at: t0 + id * 1000,
    where: id % 5 === 0 ? null : { city: `c${id}` },
  }
}

async function produceEnvelopes(producer: Producer, topic: string, values: unknown[]): Promise<void> {
  await producer.send({ topic, messages: values.map((value) => ({ value: JSON.stringify(value) })) })
}

async function objectBytes(client: S3Client, bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  const found = new Map<string, Buffer>()
  for (const entry of listed.Contents ?? []) {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.Key }))
    found.set(entry.Key ?? '', Buffer.from((await object.Body?.transformToByteArray()) ?? []))
  }
  return found
}

/** avsc's container decoder; snappy blocks end with the CRC-32 of the uncompressed data, checked here. */
async function readAvro(bytes: Buffer): Promise<{ schema: unknown; codec: string; records: unknown[] }> {
  const snappy = (block: Buffer, done: (error: Error | null, data?: Buffer) => void): void => {
    const data = uncompressSync(block.subarray(0, block.length - 4)) as Buffer
    const expected = block.readUInt32BE(block.length - 4)
    done(crc32(data) >>> 0 === expected ? null : new Error('snappy block CRC mismatch'), data)
  }
  const decoder = new avro.streams.BlockDecoder({ codecs: { snappy } })
  const records: unknown[] = []
  let header = { schema: null as unknown, codec: '' }
  decoder.on('metadata', (_type: unknown, codec: string, file: { meta: { [key: string]: Buffer } }) => {
    header = { schema: JSON.parse(file.meta['avro.schema'].toString()) as unknown, codec }
  })
  decoder.on('data', (record: unknown) => records.push(record))
  await new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve)
    decoder.on('error', reject)
    decoder.end(bytes)
  })
  return { ...header, records }
}

test('S3 sink: AvroFormat and ParquetFormat objects, exactly once across a SIGKILL', {
  timeout: 180_000,
}, async () => {
  const server = s3 as S3Server
  const client = s3Client(server)
  const live = broker as BrokerProcess
  const kafka = new Kafka({
    clientId: 's3-formats-test',
    brokers: [live.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  let producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index)
  const parquetEnvelope = (id: number) => ({
    schema: { type: 'struct', optional: false, name: 'shop.Sale', fields: parquetFields },
    payload: parquetRow(id),
  })
  await produceEnvelopes(producer, 's3-avro', ids(0, 12).map(avroOrder))
  await produceEnvelopes(producer, 's3-parquet', ids(0, 8).map(parquetEnvelope))
  await produceEnvelopes(producer, 's3-schemaless', [{ id: 1 }])
  await produceEnvelopes(producer, 's3-primitive', [
    { schema: { type: 'string', optional: false }, payload: 'x' },
  ])
  await producer.disconnect()
  const common = {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
    's3.bucket.name': server.bucket,
    'store.url': server.endpoint,
    's3.region': 'us-east-1',
    'aws.access.key.id': s3rverAccessKey,
    'aws.secret.access.key': s3rverAccessKey,
    'flush.size': '5',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  }
  const base = connectUrlOf(live)
  for (const [name, config] of [
    [
      's3-avro-sink',
      {
        topics: 's3-avro',
        'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat',
        'avro.codec': 'snappy',
      },
    ],
    [
      's3-parquet-sink',
      { topics: 's3-parquet', 'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat' },
    ],
    [
      's3-schemaless-sink',
      {
        topics: 's3-schemaless',
        'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat',
        'value.converter.schemas.enable': 'false',
      },
    ],
    [
      's3-primitive-sink',
      { topics: 's3-primitive', 'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat' },
    ],
  ] as const) {
    const created = await curl('POST', `${base}/connectors`, { name, config: { ...common, ...config } })
    assert.equal(created.status, 201, created.text)
  }
  const invalid = await curl('PUT', `${base}/connector-plugins/S3SinkConnector/config/validate`, {
    ...common,
    topics: 'x',
    'avro.codec': 'lzma',
  })
  assert.match(invalid.text, /String must be one of: null, deflate, snappy/)

  const avroName = (offset: number) =>
    `topics/s3-avro/partition=0/s3-avro+0+${String(offset).padStart(10, '0')}.avro`
  const parquetName = (offset: number) =>
    `topics/s3-parquet/partition=0/s3-parquet+0+${String(offset).padStart(10, '0')}.snappy.parquet`
  const waitKeys = (prefix: string, keys: string[]) =>
    waitFor(`${keys.length} objects under ${prefix}`, async () => {
      const found = await objectBytes(client, server.bucket, prefix)
      return keys.every((key) => found.has(key)) ? found : undefined
    })
  await waitKeys('topics/s3-avro/', [avroName(0), avroName(5)])
  await waitKeys('topics/s3-parquet/', [parquetName(0)])
  // A record without a schema cannot become Avro: the task fails with Confluent's DataException.
  const failed = (await waitFor('the schemaless task FAILED', async () => {
    const status = await curl('GET', `${base}/connectors/s3-schemaless-sink/status`)
    const body = status.body as { tasks: Array<{ state: string; trace?: string }> }
    return body.tasks[0]?.state === 'FAILED' ? body.tasks[0] : undefined
  })) as { trace: string }
  assert.match(failed.trace, /AvroFormat needs records with a value schema \(s3-schemaless\/0 offset 0\)/)
  // Parquet columns are a struct's fields: a string value fails the task the same way.
  const primitive = (await waitFor('the primitive task FAILED', async () => {
    const status = await curl('GET', `${base}/connectors/s3-primitive-sink/status`)
    const body = status.body as { tasks: Array<{ state: string; trace?: string }> }
    return body.tasks[0]?.state === 'FAILED' ? body.tasks[0] : undefined
  })) as { trace: string }
  assert.match(primitive.trace, /ParquetFormat needs struct values \(the value schema is string\)/)

  // Offsets 8..12 close the object at 8; 13..16 stay open when the worker is killed.
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  await produceEnvelopes(producer, 's3-avro', ids(12, 17).map(avroOrder))
  await producer.disconnect()
  await waitKeys('topics/s3-avro/', [avroName(8)])
  await live.kill()
  broker = await startBrokerProcess({ dataDir, args: quickGroups })
  const again = new Kafka({
    clientId: 's3-formats-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  producer = again.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  await produceEnvelopes(producer, 's3-avro', ids(17, 23).map(avroOrder))
  await produceEnvelopes(producer, 's3-parquet', ids(8, 15).map(parquetEnvelope))
  await producer.disconnect()

  const avroKeys = [0, 5, 8, 13, 18].map(avroName)
  const avroObjects = await waitKeys('topics/s3-avro/', avroKeys)
  assert.deepEqual([...avroObjects.keys()].sort(), avroKeys)
  const decoded = await Promise.all(avroKeys.map((key) => readAvro(avroObjects.get(key) as Buffer)))
  assert.deepEqual(
    decoded.map((file) => file.records.length),
    [5, 3, 5, 5, 5],
    'the schema change at offset 8 closed the object at 5',
  )
  assert.deepEqual(
    decoded.flatMap((file) => file.records).map((record) => ({ ...(record as object) })),
    ids(0, 23).map((id) => avroOrder(id).payload),
  )
  assert.equal(decoded[0].codec, 'snappy')
  assert.deepEqual(decoded[0].schema, {
    type: 'record',
    name: 'Order',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'big', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
    'connect.name': 'shop.Order',
  })
  assert.deepEqual((decoded[2].schema as { fields: unknown[] }).fields[3], {
    name: 'qty',
    type: ['null', { type: 'int', 'connect.type': 'int16' }],
    default: null,
  })

  const parquetKeys = [0, 5, 10].map(parquetName)
  const parquetObjects = await waitKeys('topics/s3-parquet/', parquetKeys)
  assert.deepEqual([...parquetObjects.keys()].sort(), parquetKeys)
  const rows: Array<Record<string, unknown>> = []
  for (const key of parquetKeys) {
    const bytes = parquetObjects.get(key) as Buffer
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const metadata = parquetMetadata(file)
    assert.equal(metadata.row_groups[0].columns[0].meta_data?.codec, 'SNAPPY')
    rows.push(...((await parquetReadObjects({ file })) as Array<Record<string, unknown>>))
  }
  assert.deepEqual(
    rows,
    ids(0, 15).map((id) => {
      const row = parquetRow(id)
      return {
        ...row,
        price: row.price,
        at: new Date(row.at as number),
        where: row.where ?? undefined,
      }
    }),
  )
  client.destroy()
})
