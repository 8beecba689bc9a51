// Goal: GET/POST /api/v1/broker-configs answer exactly what DescribeConfigs gives a Kafka client
// (values, sources, default/sensitive/read-only flags), change dynamic broker configs as
// IncrementalAlterConfigs does (SET, DELETE, APPEND/SUBTRACT rules, validateOnly, this broker or the
// cluster-wide default) with Kafka's error names and messages, and refuse malformed input with
// 400 INVALID_REQUEST while the broker keeps serving.
// Method: an embedded broker (on disk in a temporary directory, free ports); requests with fetch();
// kafkajs' admin (DescribeConfigs over the Kafka port) cross-checks every answer.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import kafkajs, { type Admin } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from './http-client.ts'

interface ApiConfig {
  name: string
  value: string | null
  source: string
  isDefault: boolean
  isSensitive: boolean
  readOnly: boolean
  type: string
  synonyms: Array<{ name: string; value: string | null; source: string }>
}

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs

let streamline: Streamline
let dataDir: string
let admin: Admin
let api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>

const sourceNames = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
]

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'http-broker-configs-'))
  streamline = await startStreamline({ dataDir })
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  api = (method, path, body) => call(baseUrl, method, path, body)
  const kafka = new Kafka({
    clientId: 'broker-configs',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  admin = kafka.admin()
  await admin.connect()
})

after(async () => {
  await admin?.disconnect()
  await streamline?.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function apiConfigs(scope = 'broker'): Promise<ApiConfig[]> {
  const answer = await api('GET', `/api/v1/broker-configs?scope=${scope}`)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).configs as ApiConfig[]
}

/** What kafkajs' DescribeConfigs (v1 with synonyms) says of resource BROKER `name`, in the API's terms. */
async function kafkaConfigs(name: string) {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.BROKER, name }],
    includeSynonyms: true,
  })
  return described.resources[0].configEntries.map((entry) => ({
    name: entry.configName,
    value: entry.configValue,
    source: sourceNames[(entry as unknown as { configSource: number }).configSource],
    isSensitive: entry.isSensitive,
    readOnly: entry.readOnly,
  }))
}

function find(configs: readonly ApiConfig[], name: string): ApiConfig {
  return configs.find((config) => config.name === name) ?? assert.fail(`no ${name}`)
}

async function alter(body: unknown): Promise<ApiAnswer> {
  return api('POST', '/api/v1/broker-configs', body)
}

test('lists every broker config exactly as DescribeConfigs gives it to kafkajs', async () => {
  const answer = fields(await api('GET', '/api/v1/broker-configs'))
  assert.equal(answer.brokerId, 0)
  assert.equal(answer.scope, 'broker')
  const configs = answer.configs as ApiConfig[]
  assert.deepEqual(
    configs.map(({ name, value, source, isSensitive, readOnly }) => ({
      name,
      value,
      source,
      isSensitive,
      readOnly,
    })),
    await kafkaConfigs('0'),
  )
  assert.deepEqual(find(configs, 'message.max.bytes'), {
    ...find(configs, 'message.max.bytes'),
    value: '1048588',
    source: 'DEFAULT_CONFIG',
    isDefault: true,
    readOnly: false,
    type: 'INT',
  })
  const nodeId = find(configs, 'node.id')
  assert.deepEqual([nodeId.value, nodeId.readOnly, nodeId.isDefault], ['0', true, false])
  const password = find(configs, 'ssl.keystore.password')
  assert.deepEqual([password.value, password.isSensitive, password.type], [null, true, 'PASSWORD'])
  assert.deepEqual(await apiConfigs('cluster'), [])
})

test('SET and DELETE change this broker dynamically; kafkajs sees each change', async () => {
  const set = await alter({ changes: [{ name: 'log.retention.ms', operation: 'SET', value: '3600000' }] })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  const after = find(fields(set).configs as ApiConfig[], 'log.retention.ms')
  assert.deepEqual([after.value, after.source, after.isDefault], ['3600000', 'DYNAMIC_BROKER_CONFIG', false])
  assert.deepEqual(after.synonyms[0], {
    name: 'log.retention.ms',
    value: '3600000',
    source: 'DYNAMIC_BROKER_CONFIG',
  })
  const seen = (await kafkaConfigs('0')).find((config) => config.name === 'log.retention.ms')
  assert.deepEqual([seen?.value, seen?.source], ['3600000', 'DYNAMIC_BROKER_CONFIG'])

  const reset = await alter({ changes: [{ name: 'log.retention.ms', operation: 'DELETE' }] })
  assert.equal(reset.status, 200)
  const back = find(fields(reset).configs as ApiConfig[], 'log.retention.ms')
  assert.notEqual(back.source, 'DYNAMIC_BROKER_CONFIG')
  const seenBack = (await kafkaConfigs('0')).find((config) => config.name === 'log.retention.ms')
  assert.equal(seenBack?.source, back.source)
  assert.equal(seenBack?.value, back.value)
})

test('the cluster-wide default scope and validateOnly', async () => {
  const checked = await alter({
    scope: 'cluster',
    validateOnly: true,
    changes: [{ name: 'log.cleaner.threads', operation: 'SET', value: '2' }],
  })
  assert.equal(checked.status, 200)
  assert.deepEqual(fields(checked).configs, [])
  const set = await alter({
    scope: 'cluster',
    changes: [{ name: 'log.cleaner.threads', operation: 'SET', value: '2' }],
  })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  assert.deepEqual(
    (fields(set).configs as ApiConfig[]).map(({ name, value, source }) => ({ name, value, source })),
    [{ name: 'log.cleaner.threads', value: '2', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' }],
  )
  const onBroker = find(await apiConfigs(), 'log.cleaner.threads')
  assert.deepEqual([onBroker.value, onBroker.source], ['2', 'DYNAMIC_DEFAULT_BROKER_CONFIG'])
  const seen = (await kafkaConfigs('0')).find((config) => config.name === 'log.cleaner.threads')
  assert.deepEqual([seen?.value, seen?.source], ['2', 'DYNAMIC_DEFAULT_BROKER_CONFIG'])
  assert.equal(
    (await alter({ scope: 'cluster', changes: [{ name: 'log.cleaner.threads', operation: 'DELETE' }] }))
      .status,
    200,
  )
  assert.deepEqual(await apiConfigs('cluster'), [])
})

test("Kafka's errors: its error name and message, nothing changed", async () => {
  const cases: Array<[unknown, string, string]> = [
    [
      { changes: [{ name: 'message.max.bytes', operation: 'SET', value: 'big' }] },
      'INVALID_REQUEST',
      'Invalid value big for configuration message.max.bytes: Not a number of type INT',
    ],
    [
      { changes: [{ name: 'node.id', operation: 'SET', value: '3' }] },
      'INVALID_REQUEST',
      'Cannot update these configs dynamically: Set(node.id)',
    ],
    [
      { changes: [{ name: 'message.max.bytes', operation: 'APPEND', value: '1' }] },
      'INVALID_CONFIG',
      'Config value append is not allowed for config key: message.max.bytes',
    ],
    [
      {
        changes: [
          { name: 'log.retention.ms', operation: 'SET', value: '1' },
          { name: 'log.retention.ms', operation: 'DELETE' },
        ],
      },
      'INVALID_REQUEST',
      'Error due to duplicate config keys',
    ],
    [
      { changes: [{ name: 'log.retention.ms', operation: 'SET' }] },
      'INVALID_REQUEST',
      'Null value not supported for : log.retention.ms',
    ],
  ]
  for (const [body, code, message] of cases) {
    const answer = await alter(body)
    assert.deepEqual([answer.status, answer.body], [400, { code, message }], JSON.stringify(body))
  }
  const retention = find(await apiConfigs(), 'log.retention.ms')
  assert.notEqual(retention.source, 'DYNAMIC_BROKER_CONFIG')
})

test('malformed requests are 400 INVALID_REQUEST and the broker keeps serving', async () => {
  const bodies: unknown[] = [
    {},
    { changes: [] },
    { changes: 'log.retention.ms=1' },
    { changes: [{ name: '', operation: 'SET', value: '1' }] },
    { changes: [{ name: 'log.retention.ms', operation: 'PUT', value: '1' }] },
    { changes: [{ name: 'log.retention.ms', operation: 'SET', value: { ms: 1 } }] },
    { changes: [{ operation: 'SET', value: '1' }] },
    { changes: [{ name: 'x'.repeat(1025), operation: 'SET', value: '1' }] },
    { changes: Array.from({ length: 1001 }, (_, index) => ({ name: `c${index}`, operation: 'DELETE' })) },
    { scope: 'planet', changes: [{ name: 'log.retention.ms', operation: 'SET', value: '1' }] },
    { validateOnly: 'yes', changes: [{ name: 'log.retention.ms', operation: 'SET', value: '1' }] },
    [1, 2, 3],
    'text',
  ]
  for (const body of bodies) {
    const answer = await alter(body)
    assert.deepEqual([answer.status, fields(answer).code], [400, 'INVALID_REQUEST'], JSON.stringify(body))
  }
  const baseUrl = streamline.httpUrl ?? ''
  const notJson = await fetch(`${baseUrl}/api/v1/broker-configs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"changes": [',
  })
  assert.equal(notJson.status, 400)
  const badScope = await api('GET', '/api/v1/broker-configs?scope=everything')
  assert.deepEqual([badScope.status, fields(badScope).code], [400, 'INVALID_REQUEST'])
  assert.equal((await apiConfigs()).length > 50, true)
})

test('a dynamic change survives a restart of the broker', async () => {
  const set = await alter({ changes: [{ name: 'log.retention.ms', operation: 'SET', value: '7200000' }] })
  assert.equal(set.status, 200)
  await streamline.close()
  streamline = await startStreamline({ dataDir })
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  api = (method, path, body) => call(baseUrl, method, path, body)
  const retention = find(await apiConfigs(), 'log.retention.ms')
  assert.deepEqual([retention.value, retention.source], ['7200000', 'DYNAMIC_BROKER_CONFIG'])
})
