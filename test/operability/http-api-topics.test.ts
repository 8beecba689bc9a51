// Goal: every admin REST endpoint for the cluster, topics and messages answers with the exact data and,
// for bad input, the exact JSON error code and HTTP status; the OpenAPI document lists every route;
// REST-produced records are what kafkajs (a client we did not write) consumes, and keyed records land
// on the partition kafkajs's own partitioner picks.
// Method: an embedded broker (in memory, free ports); requests with fetch(); kafkajs on the Kafka port.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from './http-client.ts'

let streamline: Streamline
let kafka: Kafka
let api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>

before(async () => {
  streamline = await startStreamline()
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  api = (method, path, body) => call(baseUrl, method, path, body)
  kafka = new Kafka({
    clientId: 'http-api-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
})

after(async () => {
  await streamline.close()
})

function error(code: string, message: string) {
  return { code, message }
}

test('health, readiness, cluster info, unknown route', async () => {
  assert.deepEqual(await api('GET', '/health'), { status: 200, body: { status: 'ok' } })
  assert.deepEqual(await api('GET', '/ready'), { status: 200, body: { status: 'ready' } })
  const [host, port] = streamline.bootstrap.split(':')
  // Internal topics (__consumer_offsets) may or may not exist yet: count what the list says.
  const topics = fields(await api('GET', '/api/v1/topics')).topics as Array<{ partitions: number }>
  assert.deepEqual(await api('GET', '/api/v1/cluster'), {
    status: 200,
    body: {
      clusterId: streamline.clusterId,
      version: '0.1.0',
      controllerId: 0,
      brokers: [{ nodeId: 0, host, port: Number(port) }],
      mode: 'memory',
      dataDir: null,
      playground: false,
      topics: topics.length,
      partitions: topics.reduce((sum, topic) => sum + topic.partitions, 0),
      sizeBytes: 0,
    },
  })
  // Members and leases exist only in cluster mode (test/cluster/cluster-brokers.test.ts).
  const notCluster = error(
    'CLUSTER_MODE_DISABLED',
    'this broker is not in cluster mode (start it with --cluster-metadata and --object-store)',
  )
  assert.deepEqual(await api('GET', '/api/v1/cluster/members'), { status: 404, body: notCluster })
  assert.deepEqual(await api('GET', '/api/v1/cluster/leases'), { status: 404, body: notCluster })
  assert.deepEqual(await api('GET', '/api/v1/nothing'), {
    status: 404,
    body: error('NOT_FOUND', 'no route GET /api/v1/nothing'),
  })
})

test('topics: create, list, describe, delete, and their errors', async () => {
  const created = await api('POST', '/api/v1/topics', {
    name: 'orders',
    partitions: 3,
    configs: { 'retention.ms': '60000' },
  })
  assert.equal(created.status, 201)
  const detail = fields(created)
  assert.equal(detail.name, 'orders')
  assert.equal(detail.partitions, 3)
  assert.equal(detail.internal, false)
  const configs = detail.configs as Array<{ name: string; value: string; isDefault: boolean }>
  assert.deepEqual(
    configs.find((config) => config.name === 'retention.ms'),
    { name: 'retention.ms', value: '60000', isDefault: false },
  )
  assert.deepEqual(
    configs.find((config) => config.name === 'cleanup.policy'),
    { name: 'cleanup.policy', value: 'delete', isDefault: true },
  )
  assert.deepEqual(
    detail.partitionDetails,
    [0, 1, 2].map((partition) => ({
      partition,
      leader: 0,
      logStartOffset: 0,
      highWatermark: 0,
      logEndOffset: 0,
      sizeBytes: 0,
    })),
  )
  assert.deepEqual(await api('GET', '/api/v1/topics/orders'), { status: 200, body: detail })

  const listed = fields(await api('GET', '/api/v1/topics')).topics as Array<Record<string, unknown>>
  for (const topic of listed) assert.equal(topic.internal, String(topic.name).startsWith('__'))
  assert.deepEqual(
    listed.filter((topic) => !topic.internal).map(({ name, partitions }) => ({ name, partitions })),
    [{ name: 'orders', partitions: 3 }],
  )

  const again = await api('POST', '/api/v1/topics', { name: 'orders', partitions: 1 })
  assert.equal(again.status, 409)
  assert.equal(fields(again).code, 'TOPIC_ALREADY_EXISTS')
  const badConfig = await api('POST', '/api/v1/topics', { name: 'x', configs: { 'retention.ms': 'soon' } })
  assert.equal(badConfig.status, 400)
  assert.equal(fields(badConfig).code, 'INVALID_CONFIG')
  const badName = await api('POST', '/api/v1/topics', { name: 'no spaces' })
  assert.equal(badName.status, 400)
  assert.equal(fields(badName).code, 'INVALID_TOPIC_EXCEPTION')
  const badBody = await api('POST', '/api/v1/topics', { name: 'y', partitions: 0 })
  assert.deepEqual(badBody, { status: 400, body: error('INVALID_REQUEST', 'body/partitions must be >= 1') })
  assert.deepEqual(await api('GET', '/api/v1/topics/nope'), {
    status: 404,
    body: error('UNKNOWN_TOPIC_OR_PARTITION', 'topic nope does not exist'),
  })

  assert.deepEqual(
    await api('POST', '/api/v1/topics', { name: 'doomed' }).then((answer) => answer.status),
    201,
  )
  assert.deepEqual(await api('DELETE', '/api/v1/topics/doomed'), { status: 204, body: null })
  assert.equal((await api('GET', '/api/v1/topics/doomed')).status, 404)
  assert.deepEqual(await api('DELETE', '/api/v1/topics/doomed'), {
    status: 404,
    body: error('UNKNOWN_TOPIC_OR_PARTITION', 'topic doomed does not exist'),
  })
})

test('produce over REST, browse by offset and timestamp, consume with kafkajs', async () => {
  assert.equal((await api('POST', '/api/v1/topics', { name: 'browse', partitions: 3 })).status, 201)
  const produced = await api('POST', '/api/v1/topics/browse/messages', {
    messages: [
      { partition: 2, key: 'k1', value: { amount: 5 }, headers: { source: 'rest' }, timestamp: 1000 },
      { partition: 2, value: 'plain text', timestamp: 2000 },
      { partition: 2, key: null, value: null, timestamp: 3000 },
    ],
  })
  assert.deepEqual(produced, {
    status: 200,
    body: {
      topic: 'browse',
      offsets: [
        { partition: 2, offset: 0 },
        { partition: 2, offset: 1 },
        { partition: 2, offset: 2 },
      ],
    },
  })
  const binary = await api('POST', '/api/v1/topics/browse/messages', {
    valueEncoding: 'base64',
    messages: [{ partition: 2, value: Buffer.from([0, 1, 2, 255]).toString('base64'), timestamp: 4000 }],
  })
  assert.deepEqual(fields(binary).offsets, [{ partition: 2, offset: 3 }])

  const text = (data: string) => ({ encoding: 'text', data })
  const all = await api('GET', '/api/v1/topics/browse/partitions/2/messages?offset=0')
  assert.deepEqual(all.body, {
    topic: 'browse',
    partition: 2,
    nextOffset: 4,
    highWatermark: 4,
    logStartOffset: 0,
    messages: [
      {
        partition: 2,
        offset: 0,
        timestamp: 1000,
        key: text('k1'),
        value: { encoding: 'json', data: { amount: 5 } },
        headers: [{ key: 'source', value: text('rest') }],
      },
      { partition: 2, offset: 1, timestamp: 2000, key: null, value: text('plain text'), headers: [] },
      { partition: 2, offset: 2, timestamp: 3000, key: null, value: null, headers: [] },
      {
        partition: 2,
        offset: 3,
        timestamp: 4000,
        key: null,
        value: { encoding: 'base64', data: 'AAEC/w==' },
        headers: [],
      },
    ],
  })
  const page = fields(await api('GET', '/api/v1/topics/browse/partitions/2/messages?offset=1&limit=1'))
  assert.equal(page.nextOffset, 2)
  assert.deepEqual(
    (page.messages as Array<{ offset: number }>).map((message) => message.offset),
    [1],
  )
  const byTime = fields(
    await api('GET', '/api/v1/topics/browse/partitions/2/messages?timestamp=2500&encoding=base64'),
  )
  assert.deepEqual(byTime.messages, [
    { partition: 2, offset: 2, timestamp: 3000, key: null, value: null, headers: [] },
    {
      partition: 2,
      offset: 3,
      timestamp: 4000,
      key: null,
      value: { encoding: 'base64', data: 'AAEC/w==' },
      headers: [],
    },
  ])

  // kafkajs reads the REST-produced records byte for byte.
  const consumer = kafka.consumer({ groupId: 'rest-readers' })
  await consumer.connect()
  await consumer.subscribe({ topic: 'browse', fromBeginning: true })
  const seen: string[] = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const headers = Object.entries(message.headers ?? {}).map(
            ([key, value]) => `${key}=${String(value)}`,
          )
          seen.push(
            `${partition}/${message.offset} ${message.timestamp} ${message.key?.toString('hex') ?? '-'} ${message.value?.toString('hex') ?? '-'} ${headers.join(',')}`,
          )
          if (seen.length === 4) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  assert.deepEqual(seen, [
    `2/0 1000 ${Buffer.from('k1').toString('hex')} ${Buffer.from('{"amount":5}').toString('hex')} source=rest`,
    `2/1 2000 - ${Buffer.from('plain text').toString('hex')} `,
    '2/2 3000 - - ',
    '2/3 4000 - 000102ff ',
  ])
})

test('keyed REST records land where kafkajs puts the same key', async () => {
  assert.equal((await api('POST', '/api/v1/topics', { name: 'keyed', partitions: 6 })).status, 201)
  const producer = kafka.producer()
  await producer.connect()
  const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']
  const viaKafkajs = await producer.send({
    topic: 'keyed',
    messages: keys.map((key) => ({ key, value: 'x' })),
  })
  await producer.disconnect()
  const kafkajsPartitions = new Set(viaKafkajs.map((result) => result.partition))
  const viaRest = fields(
    await api('POST', '/api/v1/topics/keyed/messages', {
      messages: keys.map((key) => ({ key, value: 'x' })),
    }),
  ).offsets as Array<{ partition: number }>
  assert.deepEqual(new Set(viaRest.map((offset) => offset.partition)), kafkajsPartitions)
  // Per key: browse each partition and compare keys with kafkajs's placement.
  for (const { partition } of viaKafkajs) {
    const page = fields(await api('GET', `/api/v1/topics/keyed/partitions/${partition}/messages`))
    const partitionKeys = (page.messages as Array<{ key: { data: string } }>).map(
      (message) => message.key.data,
    )
    const half = partitionKeys.length / 2
    assert.deepEqual(partitionKeys.slice(half), partitionKeys.slice(0, half), `partition ${partition}`)
  }
})

test('message endpoint errors', async () => {
  const unknownTopic = await api('POST', '/api/v1/topics/ghost/messages', { messages: [{ value: 'x' }] })
  assert.deepEqual(unknownTopic, {
    status: 404,
    body: error('UNKNOWN_TOPIC_OR_PARTITION', 'topic ghost does not exist'),
  })
  assert.equal((await api('POST', '/api/v1/topics', { name: 'small', partitions: 1 })).status, 201)
  assert.deepEqual(
    await api('POST', '/api/v1/topics/small/messages', { messages: [{ partition: 4, value: 'x' }] }),
    {
      status: 404,
      body: error('UNKNOWN_TOPIC_OR_PARTITION', 'partition small-4 does not exist'),
    },
  )
  assert.deepEqual(await api('POST', '/api/v1/topics/small/messages', { messages: [] }), {
    status: 400,
    body: error('INVALID_REQUEST', 'body/messages must NOT have fewer than 1 items'),
  })
  assert.deepEqual(await api('GET', '/api/v1/topics/small/partitions/3/messages'), {
    status: 404,
    body: error('UNKNOWN_TOPIC_OR_PARTITION', 'partition small-3 does not exist'),
  })
  assert.deepEqual(await api('GET', '/api/v1/topics/small/partitions/0/messages?offset=0&timestamp=5'), {
    status: 400,
    body: error('INVALID_REQUEST', 'give offset or timestamp, not both'),
  })
  assert.deepEqual(await api('GET', '/api/v1/topics/small/partitions/0/messages?limit=0'), {
    status: 400,
    body: error('INVALID_REQUEST', 'querystring/limit must be >= 1'),
  })
})

test('the OpenAPI document lists every route', async () => {
  const document = fields(await api('GET', '/api/v1/openapi.json'))
  assert.equal(document.openapi, '3.1.0')
  const paths = document.paths as Record<string, Record<string, unknown>>
  const routes = Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method} ${path}`),
  )
  assert.deepEqual(routes.sort(), [
    'delete /api/v1/groups/{group}',
    'delete /api/v1/session',
    'delete /api/v1/topics/{topic}',
    'delete /api/v1/users/{user}',
    'get /api/v1/acls',
    'get /api/v1/broker-configs',
    'get /api/v1/cluster',
    'get /api/v1/cluster/leases',
    'get /api/v1/cluster/members',
    'get /api/v1/connect/{path}',
    'get /api/v1/groups',
    'get /api/v1/groups/{group}',
    'get /api/v1/metrics/history',
    'get /api/v1/quotas',
    'get /api/v1/registry/{path}',
    'get /api/v1/services',
    'get /api/v1/session',
    'get /api/v1/topic-configs',
    'get /api/v1/topics',
    'get /api/v1/topics/{topic}',
    'get /api/v1/topics/{topic}/partitions/{partition}/messages',
    'get /api/v1/topics/{topic}/tail',
    'get /api/v1/users',
    'post /api/v1/acls',
    'post /api/v1/acls/delete',
    'post /api/v1/broker-configs',
    'post /api/v1/groups/{group}/offsets/reset',
    'post /api/v1/query',
    'post /api/v1/quotas',
    'post /api/v1/session',
    'post /api/v1/topics',
    'post /api/v1/topics/{topic}/messages',
    'post /api/v1/topics/{topic}/partitions',
    'post /api/v1/topics/{topic}/partitions/{partition}/delete-records',
    'put /api/v1/topics/{topic}/configs',
    'put /api/v1/users/{user}',
  ])
})
