// Goal (issue 13, defect 4): configuration answers as Kafka 3.9 gives them. Dynamic broker configs
// (per broker and cluster default) are accepted, checked as Kafka checks them, survive a SIGKILL,
// are reported with DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG, and the ones Streamline
// uses take effect (log.retention.ms and message.max.bytes for topics without an override); the
// deprecated topic config message.format.version is accepted; DescribeConfigs synonyms follow Kafka's
// rules (no DEFAULT_CONFIG synonym for a broker config without a default of its own).
// Method: the broker as a process on a data dir this test keeps. kafkajs (a real client) sends
// AlterConfigs and DescribeConfigs and creates topics; raw IncrementalAlterConfigs requests (generated
// codecs) read the exact error codes and messages of the refusals; a raw Produce checks that the
// cluster default message.max.bytes is enforced. The broker is SIGKILLed and restarted, and the same
// answers and effects are checked again.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { Admin } from 'kafkajs'
import { createDefaultIncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { CodecClient, produceRequestBody } from '../helpers/kafka-codec-client.ts'
import { connectKafkajsAdmin } from '../helpers/kafkajs.ts'

const topicResource = 2
const brokerResource = 4
const source = { topic: 1, dynamicBroker: 2, dynamicDefault: 3, static: 4, default: 5 }
const errorMessageTooLarge = 10
const errorInvalidConfig = 40
const errorInvalidRequest = 42

let broker: BrokerProcess | undefined
let dataDir = ''
const admins: Admin[] = []

after(async () => {
  for (const admin of admins) await admin.disconnect()
  await broker?.kill()
  if (dataDir !== '') await removeTempDir(dataDir)
})

async function adminOf(running: BrokerProcess): Promise<Admin> {
  const { admin } = await connectKafkajsAdmin(running.bootstrap)
  admins.push(admin)
  return admin
}

interface Entry {
  value: string | null
  source: number
  readOnly: boolean
  synonyms: [string, string | null, number][]
}

async function describe(
  admin: Admin,
  type: number,
  name: string,
  keys: string[],
): Promise<Record<string, Entry>> {
  const described = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type, name, configNames: keys }],
  })
  const entries: Record<string, Entry> = {}
  for (const entry of described.resources[0].configEntries) {
    entries[entry.configName] = {
      value: entry.configValue,
      source: entry.configSource,
      readOnly: entry.readOnly,
      synonyms: entry.configSynonyms.map((synonym) => [
        synonym.configName,
        synonym.configValue,
        synonym.configSource,
      ]),
    }
  }
  return entries
}

/** A raw IncrementalAlterConfigs (v1) of one BROKER resource; returns its code and message. */
async function incrementalAlter(
  running: BrokerProcess,
  resourceName: string,
  configs: { name: string; value: string | null; configOperation?: number }[],
): Promise<[number, string | null]> {
  const client = await CodecClient.open(running.host, running.port)
  try {
    const response = await client.request(44, 1, {
      ...createDefaultIncrementalAlterConfigsRequest(),
      resources: [
        {
          resourceType: brokerResource,
          resourceName,
          configs: configs.map((config) => ({ configOperation: 0, ...config })),
        },
      ],
      validateOnly: false,
    })
    return [response.responses[0].errorCode, response.responses[0].errorMessage]
  } finally {
    client.close()
  }
}

/** A raw DescribeConfigs (v4) of the cluster default resource: [name, value, source, synonyms] each. */
async function describeClusterDefaults(running: BrokerProcess): Promise<unknown[]> {
  const client = await CodecClient.open(running.host, running.port)
  try {
    const response = await client.request(32, 4, {
      resources: [{ resourceType: brokerResource, resourceName: '', configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: false,
    })
    return response.results[0].configs.map((config) => [
      config.name,
      config.value,
      config.configSource,
      config.synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]),
    ])
  } finally {
    client.close()
  }
}

/** Produce of one record with a `valueBytes` value to `topic` partition 0; returns the error code. */
async function produceCode(running: BrokerProcess, topic: string, valueBytes: number): Promise<number> {
  const client = await CodecClient.open(running.host, running.port)
  try {
    const batch = await buildBatch({
      records: [{ key: Buffer.from('k'), value: Buffer.alloc(valueBytes, 1), timestamp: Date.now() }],
    })
    const response = await client.request(0, 9, produceRequestBody(topic, 0, batch))
    return response.responses[0].partitionResponses[0].errorCode
  } finally {
    client.close()
  }
}

/** The answers and effects checked before and after the SIGKILL. */
async function checkDynamicAnswers(admin: Admin, running: BrokerProcess): Promise<void> {
  const brokerConfigs = await describe(admin, brokerResource, '0', [
    'sasl.kerberos.min.time.before.relogin',
    'log.retention.ms',
    'log.cleaner.threads',
    'num.partitions',
  ])
  assert.deepEqual(brokerConfigs['sasl.kerberos.min.time.before.relogin'], {
    value: '120000',
    source: source.dynamicBroker,
    readOnly: false,
    synonyms: [
      ['sasl.kerberos.min.time.before.relogin', '120000', source.dynamicBroker],
      ['sasl.kerberos.min.time.before.relogin', '60000', source.default],
    ],
  })
  assert.deepEqual(brokerConfigs['log.retention.ms'], {
    value: '3600000',
    source: source.dynamicDefault,
    readOnly: false,
    synonyms: [
      ['log.retention.ms', '3600000', source.dynamicDefault],
      ['log.retention.hours', '168', source.default],
    ],
  })
  assert.equal(brokerConfigs['log.cleaner.threads'].source, source.dynamicDefault)
  assert.deepEqual(brokerConfigs['num.partitions'], {
    value: '1',
    source: source.default,
    readOnly: true,
    synonyms: [['num.partitions', '1', source.default]],
  })
  assert.deepEqual(await describeClusterDefaults(running), [
    [
      'log.cleaner.threads',
      '2',
      source.dynamicDefault,
      [['log.cleaner.threads', '2', source.dynamicDefault]],
    ],
    [
      'log.retention.ms',
      '3600000',
      source.dynamicDefault,
      [['log.retention.ms', '3600000', source.dynamicDefault]],
    ],
    [
      'message.max.bytes',
      '2000',
      source.dynamicDefault,
      [['message.max.bytes', '2000', source.dynamicDefault]],
    ],
  ])

  const topicConfigs = await describe(admin, topicResource, 'plain', ['retention.ms', 'max.message.bytes'])
  assert.deepEqual(topicConfigs['retention.ms'], {
    value: '3600000',
    source: source.dynamicDefault,
    readOnly: false,
    synonyms: [
      ['log.retention.ms', '3600000', source.dynamicDefault],
      ['log.retention.hours', '168', source.default],
    ],
  })
  assert.equal(topicConfigs['max.message.bytes'].value, '2000')
  assert.equal(await produceCode(running, 'plain', 3000), errorMessageTooLarge)
  assert.equal(await produceCode(running, 'plain', 100), 0)
}

test('dynamic broker configs are accepted, reported, applied, and survive a SIGKILL', async () => {
  dataDir = await makeTempDir('streamline-issue13-configs-')
  broker = await startBrokerProcess({ dataDir })
  let admin = await adminOf(broker)
  await admin.createTopics({ topics: [{ topic: 'plain', numPartitions: 1 }] })
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: brokerResource,
        name: '0',
        configEntries: [{ name: 'sasl.kerberos.min.time.before.relogin', value: '120000' }],
      },
    ],
  })
  // kafkajs refuses the cluster default's empty name itself: a raw IncrementalAlterConfigs sets it.
  assert.deepEqual(
    await incrementalAlter(broker, '', [
      { name: 'log.retention.ms', value: '3600000' },
      { name: 'message.max.bytes', value: '2000' },
      { name: 'log.cleaner.threads', value: '2' },
    ]),
    [0, null],
  )

  await checkDynamicAnswers(admin, broker)
  await broker.kill()
  broker = await startBrokerProcess({ dataDir })
  admin = await adminOf(broker)
  await checkDynamicAnswers(admin, broker)
})

/** Refused changes: resource name, configs, error code, Kafka's message. */
const refusals: [
  string,
  { name: string; value: string | null; configOperation?: number }[],
  number,
  string,
][] = [
  [
    '0',
    [{ name: 'num.partitions', value: '3' }],
    errorInvalidRequest,
    'Cannot update these configs dynamically: Set(num.partitions)',
  ],
  [
    '',
    [{ name: 'sasl.kerberos.min.time.before.relogin', value: '1000' }],
    errorInvalidRequest,
    'Cannot update these configs at default cluster level, broker id must be specified: Set(sasl.kerberos.min.time.before.relogin)',
  ],
  [
    '0',
    [{ name: 'ssl.keystore.location', value: '/tmp/k.jks' }],
    errorInvalidRequest,
    'These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)',
  ],
  [
    '0',
    [{ name: 'sasl.kerberos.min.time.before.relogin', value: 'soon' }],
    errorInvalidRequest,
    'Invalid value soon for configuration sasl.kerberos.min.time.before.relogin: Not a number of type LONG',
  ],
  [
    '',
    [{ name: 'log.cleanup.policy', value: 'archive' }],
    errorInvalidRequest,
    'Invalid value archive for configuration log.cleanup.policy: String must be one of: delete, compact',
  ],
  [
    '',
    [{ name: 'num.io.threads', value: '100' }],
    errorInvalidRequest,
    'Dynamic thread count update validation failed for num.io.threads=100, value should not be greater than double the current value 8',
  ],
  [
    '',
    [{ name: 'log.retention.ms', value: '1', configOperation: 2 }],
    errorInvalidConfig,
    'Config value append is not allowed for config key: log.retention.ms',
  ],
  [
    '7',
    [{ name: 'log.retention.ms', value: '1' }],
    errorInvalidRequest,
    'Unexpected broker id, expected 0, but received 7',
  ],
]

test('refusals are Kafka 3.9 answers: static, per-broker only, prefix only, bad values, thread pools', async () => {
  assert.ok(broker !== undefined)
  for (const [resourceName, configs, code, message] of refusals) {
    assert.deepEqual(await incrementalAlter(broker, resourceName, configs), [code, message], configs[0].name)
  }
  // A listener-prefixed SSL config is per broker, as in Kafka; DELETE takes a config back to its default.
  assert.deepEqual(
    await incrementalAlter(broker, '0', [
      { name: 'listener.name.plaintext.ssl.keystore.location', value: '/k.jks' },
    ]),
    [0, null],
  )
  assert.deepEqual(
    await incrementalAlter(broker, '', [{ name: 'log.retention.ms', value: null, configOperation: 1 }]),
    [0, null],
  )
  const admin = await adminOf(broker)
  const topicConfigs = await describe(admin, topicResource, 'plain', ['retention.ms'])
  assert.deepEqual(topicConfigs['retention.ms'], {
    value: '604800000',
    source: source.default,
    readOnly: false,
    synonyms: [],
  })
})

test('message.format.version is accepted as in Kafka 3.9; synonyms follow Kafka rules', async () => {
  assert.ok(broker !== undefined)
  const admin = await adminOf(broker)
  await admin.createTopics({
    topics: [
      {
        topic: 'legacy',
        numPartitions: 1,
        configEntries: [{ name: 'message.format.version', value: '0.10.0' }],
      },
    ],
  })
  const legacy = await describe(admin, topicResource, 'legacy', [
    'message.format.version',
    'compression.type',
    'segment.ms',
  ])
  assert.deepEqual(legacy['message.format.version'], {
    value: '0.10.0',
    source: source.topic,
    readOnly: false,
    synonyms: [
      ['message.format.version', '0.10.0', source.topic],
      ['log.message.format.version', '3.0-IV1', source.default],
    ],
  })
  assert.deepEqual(legacy['compression.type'].synonyms, [['compression.type', 'producer', source.default]])
  assert.deepEqual(legacy['segment.ms'], {
    value: '604800000',
    source: source.default,
    readOnly: false,
    synonyms: [],
  })
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const created = await client.request(19, 7, {
      timeoutMs: 10_000,
      validateOnly: false,
      topics: [
        {
          name: 'future',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'message.format.version', value: '9.9' }],
        },
      ],
    })
    assert.equal(created.topics[0].errorCode, errorInvalidConfig)
    assert.equal(
      created.topics[0].errorMessage,
      'Invalid value 9.9 for configuration message.format.version: Version `9.9` is not a valid version',
    )
  } finally {
    client.close()
  }
})
