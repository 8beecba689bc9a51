// Goal: the S3 sink (Confluent's S3SinkConnector options) writes each topic-partition's records as JSON
// lines in objects named topics/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json, flush.size
// records each; after a SIGKILL of the broker every record is in exactly one object (the names carry
// the offsets, so re-reading after the crash rewrites the same objects); rotate.interval.ms (record
// time) and the FieldPartitioner cut and place objects as Confluent's do.
// Method: a real S3 API server process (s3rver) and a real broker process; kafkajs produces; the
// connectors are created with curl; the AWS SDK lists and reads the bucket.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { Kafka, logLevel, type Producer } from 'kafkajs'
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
  broker = await startBrokerProcess({ dataDir })
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
  broker = await startBrokerProcess({ dataDir })
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
