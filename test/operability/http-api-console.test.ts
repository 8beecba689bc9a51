// Goal: the admin endpoints added for the web console answer exact data, and bad input gets the exact
// JSON error code and HTTP status while the broker keeps serving: throughput history, topic config
// catalogue and replacement, adding partitions, deleting records, the message filter (text, regex,
// refused regexes), ACLs and SCRAM users.
// Method: an embedded broker (in memory, free ports, authorizer on with allow-everyone-if-no-acl-found);
// requests with fetch(); kafkajs on the Kafka port.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from './http-client.ts'

let streamline: Streamline
let api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>

before(async () => {
  streamline = await startStreamline({ security: { authorizer: true, allowEveryoneIfNoAclFound: true } })
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  api = (method, path, body) => call(baseUrl, method, path, body)
})

after(async () => {
  await streamline.close()
})

test('throughput history counts what kafkajs produces and fetches', async () => {
  const history = fields(await api('GET', '/api/v1/metrics/history'))
  assert.equal(history.intervalMs, 2000)
  assert.ok(Array.isArray(history.samples))
  const kafka = new Kafka({
    clientId: 'history',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'history-topic', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
  await producer.disconnect()
  const totals = streamline.broker.metrics.totals()
  assert.equal(totals.recordsIn, 3)
  assert.ok(totals.bytesIn > 0)
})

test('topic configs: catalogue, replace, invalid values and names', async () => {
  const catalogue = fields(await api('GET', '/api/v1/topic-configs')).configs as Array<{
    name: string
    defaultValue: string
  }>
  assert.equal(catalogue.find((config) => config.name === 'retention.ms')?.defaultValue, '604800000')
  assert.equal((await api('POST', '/api/v1/topics', { name: 'cfg', partitions: 1 })).status, 201)
  const replaced = fields(
    await api('PUT', '/api/v1/topics/cfg/configs', { configs: { 'retention.ms': '1000' } }),
  )
  const configs = replaced.configs as Array<{ name: string; value: string; isDefault: boolean }>
  assert.deepEqual(
    configs.find((config) => config.name === 'retention.ms'),
    {
      name: 'retention.ms',
      value: '1000',
      isDefault: false,
    },
  )
  const bad = await api('PUT', '/api/v1/topics/cfg/configs', { configs: { 'retention.ms': 'soon' } })
  assert.equal(bad.status, 400)
  assert.equal(fields(bad).code, 'INVALID_CONFIG')
  const unknown = await api('PUT', '/api/v1/topics/cfg/configs', { configs: { 'no.such.config': '1' } })
  assert.deepEqual([unknown.status, fields(unknown).code], [400, 'INVALID_CONFIG'])
  const notObject = await api('PUT', '/api/v1/topics/cfg/configs', { configs: ['retention.ms'] })
  assert.deepEqual([notObject.status, fields(notObject).code], [400, 'INVALID_REQUEST'])
  const missing = await api('PUT', '/api/v1/topics/nope/configs', { configs: {} })
  assert.deepEqual([missing.status, fields(missing).code], [404, 'UNKNOWN_TOPIC_OR_PARTITION'])
  // Replacing with {} returns every config to its default.
  const reset = fields(await api('PUT', '/api/v1/topics/cfg/configs', { configs: {} }))
  assert.ok((reset.configs as Array<{ isDefault: boolean }>).every((config) => config.isDefault))
})

test('add partitions and delete records', async () => {
  assert.equal((await api('POST', '/api/v1/topics', { name: 'grow', partitions: 1 })).status, 201)
  const grown = fields(await api('POST', '/api/v1/topics/grow/partitions', { count: 3 }))
  assert.equal(grown.partitions, 3)
  const notMore = await api('POST', '/api/v1/topics/grow/partitions', { count: 2 })
  assert.deepEqual([notMore.status, fields(notMore).code], [400, 'INVALID_PARTITIONS'])
  const messages = Array.from({ length: 5 }, (_, index) => ({ partition: 0, value: `v${index}` }))
  assert.equal((await api('POST', '/api/v1/topics/grow/messages', { messages })).status, 200)
  assert.deepEqual(
    await api('POST', '/api/v1/topics/grow/partitions/0/delete-records', { beforeOffset: 2 }),
    {
      status: 200,
      body: { partition: 0, logStartOffset: 2 },
    },
  )
  const browse = fields(await api('GET', '/api/v1/topics/grow/partitions/0/messages'))
  assert.deepEqual(
    (browse.messages as Array<{ offset: number }>).map((message) => message.offset),
    [2, 3, 4],
  )
  const beyond = await api('POST', '/api/v1/topics/grow/partitions/0/delete-records', { beforeOffset: 6 })
  assert.deepEqual([beyond.status, fields(beyond).code], [400, 'OFFSET_OUT_OF_RANGE'])
  const noPartition = await api('POST', '/api/v1/topics/grow/partitions/9/delete-records', {
    beforeOffset: 0,
  })
  assert.deepEqual([noPartition.status, fields(noPartition).code], [404, 'UNKNOWN_TOPIC_OR_PARTITION'])
  const negative = await api('POST', '/api/v1/topics/grow/partitions/0/delete-records', { beforeOffset: -1 })
  assert.deepEqual([negative.status, fields(negative).code], [400, 'INVALID_REQUEST'])
})

test('message filter: text in headers, regex in values, refused and invalid patterns', async () => {
  assert.equal((await api('POST', '/api/v1/topics', { name: 'search', partitions: 1 })).status, 201)
  const messages = Array.from({ length: 20 }, (_, index) => ({
    key: `k${index}`,
    value: { n: index },
    headers: { trace: `t-${index}` },
  }))
  await api('POST', '/api/v1/topics/search/messages', {
    messages: messages.map((m) => ({ ...m, partition: 0 })),
  })
  const byHeader = fields(await api('GET', '/api/v1/topics/search/partitions/0/messages?filter=t-13'))
  assert.deepEqual(
    (byHeader.messages as Array<{ offset: number }>).map((message) => message.offset),
    [13],
  )
  assert.equal(byHeader.nextOffset, 20)
  const regex = encodeURIComponent('"n":1[0-2]\\b')
  const byRegex = fields(
    await api('GET', `/api/v1/topics/search/partitions/0/messages?filter=${regex}&filterMode=regex&limit=2`),
  )
  assert.deepEqual(
    (byRegex.messages as Array<{ offset: number }>).map((message) => message.offset),
    [10, 11],
  )
  assert.equal(byRegex.nextOffset, 12)
  for (const pattern of ['(a+)+$', '(x|xy)*z', '(?:a|a)+b', '(a)\\1', '(?=a)b', '(?<!a)b']) {
    const refused = await api(
      'GET',
      `/api/v1/topics/search/partitions/0/messages?filter=${encodeURIComponent(pattern)}&filterMode=regex`,
    )
    assert.equal(refused.status, 400, pattern)
    assert.equal(fields(refused).code, 'INVALID_REQUEST')
    assert.match(String(fields(refused).message), /regex refused/)
  }
  // A group without a quantifier or alternation inside may be quantified.
  const safeGroup = await api(
    'GET',
    `/api/v1/topics/search/partitions/0/messages?filter=${encodeURIComponent('(?:k1)+9')}&filterMode=regex`,
  )
  assert.deepEqual(
    (fields(safeGroup).messages as Array<{ offset: number }>).map((message) => message.offset),
    [19],
  )
  const invalid = await api('GET', '/api/v1/topics/search/partitions/0/messages?filter=%5B&filterMode=regex')
  assert.deepEqual([invalid.status, fields(invalid).code], [400, 'INVALID_REQUEST'])
  const long = await api('GET', `/api/v1/topics/search/partitions/0/messages?filter=${'a'.repeat(300)}`)
  assert.deepEqual([long.status, fields(long).code], [400, 'INVALID_REQUEST'])
  // Still serving.
  assert.equal((await api('GET', '/api/v1/topics/search')).status, 200)
})

test('ACLs: create, list with a filter, invalid bindings, delete', async () => {
  const binding = {
    resourceType: 'TOPIC',
    resourceName: 'orders',
    patternType: 'LITERAL',
    principal: 'User:bob',
    host: '*',
    operation: 'READ',
    permissionType: 'ALLOW',
  }
  assert.deepEqual(await api('POST', '/api/v1/acls', binding), { status: 201, body: binding })
  assert.deepEqual(await api('GET', '/api/v1/acls?principal=User:bob'), {
    status: 200,
    body: { authorizer: true, acls: [binding] },
  })
  assert.deepEqual(fields(await api('GET', '/api/v1/acls?principal=User:carol')).acls, [])
  const cluster = await api('POST', '/api/v1/acls', { ...binding, resourceType: 'CLUSTER' })
  assert.deepEqual(cluster, {
    status: 400,
    body: { code: 'INVALID_REQUEST', message: 'a CLUSTER resource is named kafka-cluster' },
  })
  const badPrincipal = await api('POST', '/api/v1/acls', { ...binding, principal: 'bob' })
  assert.deepEqual([badPrincipal.status, fields(badPrincipal).code], [400, 'INVALID_REQUEST'])
  const badOperation = await api('POST', '/api/v1/acls', { ...binding, operation: 'FLY' })
  assert.deepEqual([badOperation.status, fields(badOperation).code], [400, 'INVALID_REQUEST'])
  const everything = await api('POST', '/api/v1/acls/delete', {})
  assert.deepEqual([everything.status, fields(everything).code], [400, 'INVALID_REQUEST'])
  assert.deepEqual(await api('POST', '/api/v1/acls/delete', { principal: 'User:bob' }), {
    status: 200,
    body: { deleted: [binding] },
  })
  assert.deepEqual(fields(await api('GET', '/api/v1/acls')).acls, [])
})

test('SCRAM users: set, list, invalid input, delete', async () => {
  assert.deepEqual(
    await api('PUT', '/api/v1/users/dana', { password: 'dana-pw', mechanism: 'SCRAM-SHA-512' }),
    {
      status: 200,
      body: { name: 'dana', mechanism: 'SCRAM-SHA-512' },
    },
  )
  assert.deepEqual(fields(await api('GET', '/api/v1/users')).users, [
    { name: 'dana', mechanisms: ['SCRAM-SHA-512'] },
  ])
  const empty = await api('PUT', '/api/v1/users/dana', { password: '' })
  assert.deepEqual([empty.status, fields(empty).code], [400, 'INVALID_REQUEST'])
  const mechanism = await api('PUT', '/api/v1/users/dana', { password: 'x', mechanism: 'MD5' })
  assert.deepEqual([mechanism.status, fields(mechanism).code], [400, 'INVALID_REQUEST'])
  assert.deepEqual(await api('DELETE', '/api/v1/users/dana'), { status: 204, body: null })
  const again = await api('DELETE', '/api/v1/users/dana')
  assert.deepEqual([again.status, fields(again).code], [404, 'RESOURCE_NOT_FOUND'])
})

test("client quotas: set, list, remove, invalid keys and values, with AlterClientQuotas' rules", async () => {
  assert.deepEqual(fields(await api('GET', '/api/v1/quotas')).quotas, [])
  assert.deepEqual(
    await api('POST', '/api/v1/quotas', { entity: { user: 'erin' }, values: { producer_byte_rate: 1024 } }),
    { status: 200, body: { entity: { user: 'erin' }, values: { producer_byte_rate: 1024 } } },
  )
  assert.deepEqual(
    await api('POST', '/api/v1/quotas', { entity: { clientId: null }, values: { request_percentage: 12.5 } }),
    { status: 200, body: { entity: { clientId: null }, values: { request_percentage: 12.5 } } },
  )
  assert.deepEqual(fields(await api('GET', '/api/v1/quotas')).quotas, [
    { entity: { user: 'erin' }, values: { producer_byte_rate: 1024 } },
    { entity: { clientId: null }, values: { request_percentage: 12.5 } },
  ])
  const fractional = await api('POST', '/api/v1/quotas', {
    entity: { user: 'erin' },
    values: { consumer_byte_rate: 1.5 },
  })
  assert.deepEqual(fractional, {
    status: 400,
    body: { code: 'INVALID_REQUEST', message: 'Configuration consumer_byte_rate must be a Long value' },
  })
  const unknownKey = await api('POST', '/api/v1/quotas', { entity: { user: 'erin' }, values: { speed: 1 } })
  assert.deepEqual(unknownKey, {
    status: 400,
    body: { code: 'INVALID_REQUEST', message: 'Invalid configuration key speed' },
  })
  const noEntity = await api('POST', '/api/v1/quotas', { entity: {}, values: { producer_byte_rate: 1 } })
  assert.deepEqual(noEntity, {
    status: 400,
    body: { code: 'INVALID_REQUEST', message: 'Invalid empty client quota entity' },
  })
  assert.deepEqual(
    await api('POST', '/api/v1/quotas', { entity: { user: 'erin' }, values: { producer_byte_rate: null } }),
    { status: 200, body: { entity: { user: 'erin' }, values: {} } },
  )
  assert.deepEqual(fields(await api('GET', '/api/v1/quotas')).quotas, [
    { entity: { clientId: null }, values: { request_percentage: 12.5 } },
  ])
})

test('the OpenAPI document lists the console endpoints', async () => {
  const paths = Object.keys(fields(await api('GET', '/api/v1/openapi.json')).paths as object)
  for (const path of [
    '/api/v1/metrics/history',
    '/api/v1/topic-configs',
    '/api/v1/topics/{topic}/configs',
    '/api/v1/topics/{topic}/partitions',
    '/api/v1/topics/{topic}/partitions/{partition}/delete-records',
    '/api/v1/acls',
    '/api/v1/acls/delete',
    '/api/v1/users',
    '/api/v1/users/{user}',
    '/api/v1/quotas',
  ]) {
    assert.ok(paths.includes(path), path)
  }
})
