// Goal: DescribeConfigs synonyms follow Kafka's ConfigHelper rules exactly.
// Method: configSynonyms over hand-built layers, compared with the lists Kafka 3.9 gives for the same
// settings (a name without a default of its own, its hour/minute synonyms, listener prefixes).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brokerConfigSynonyms, type ConfigLayers, configSynonyms } from './synonyms.ts'

const kafkaDefaults = new Map([
  ['log.retention.hours', '168'],
  ['compression.type', 'producer'],
  ['log.flush.scheduler.interval.ms', '9223372036854775807'],
])

function layers(overrides: Partial<ConfigLayers> = {}): ConfigLayers {
  return { dynamicBroker: {}, dynamicDefault: {}, staticBroker: {}, kafkaDefaults, ...overrides }
}

test('a name without a default of its own lists nothing until it is set', () => {
  assert.deepEqual(configSynonyms('log.retention.ms', layers(), { sensitive: false }), [])
  assert.deepEqual(configSynonyms('log.flush.interval.ms', layers(), { sensitive: false }), [])
  assert.deepEqual(
    configSynonyms('log.retention.ms', layers({ staticBroker: { 'log.retention.hours': '24' } }), {
      sensitive: false,
    }),
    [],
  )
  assert.deepEqual(
    configSynonyms('log.retention.ms', layers({ dynamicDefault: { 'log.retention.ms': '1000' } }), {
      sensitive: false,
    }),
    [
      { name: 'log.retention.ms', value: '1000', source: 3 },
      { name: 'log.retention.hours', value: '168', source: 5 },
    ],
  )
})

test('every layer in precedence order, and a default of its own', () => {
  const all = layers({
    dynamicBroker: { 'compression.type': 'lz4' },
    dynamicDefault: { 'compression.type': 'gzip' },
    staticBroker: { 'compression.type': 'zstd' },
  })
  assert.deepEqual(configSynonyms('compression.type', all, { sensitive: false }), [
    { name: 'compression.type', value: 'lz4', source: 2 },
    { name: 'compression.type', value: 'gzip', source: 3 },
    { name: 'compression.type', value: 'zstd', source: 4 },
    { name: 'compression.type', value: 'producer', source: 5 },
  ])
  assert.deepEqual(configSynonyms('compression.type', layers(), { sensitive: true }), [
    { name: 'compression.type', value: null, source: 5 },
  ])
})

test('listener-prefixed names have their base as a synonym', () => {
  assert.deepEqual(brokerConfigSynonyms('listener.name.sasl_ssl.plain.sasl.jaas.config'), [
    'listener.name.sasl_ssl.plain.sasl.jaas.config',
    'sasl.jaas.config',
  ])
  assert.deepEqual(brokerConfigSynonyms('listener.name.ssl.ssl.keystore.location'), [
    'listener.name.ssl.ssl.keystore.location',
    'ssl.keystore.location',
  ])
  assert.deepEqual(brokerConfigSynonyms('log.roll.hours'), ['log.roll.ms', 'log.roll.hours'])
})
