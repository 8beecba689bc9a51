// The broker configs DescribeConfigs reports (resource type BROKER), by Kafka's ConfigHelper rules.
// Name = node id: the settings this broker really has (node.id, log.dirs, limits, …), every dynamic
// broker config (broker-config/dynamic-definitions.ts) and the broker defaults of topic configs, each
// with its value by precedence (this broker's dynamic value, the cluster default, the value set at
// start, Kafka's default; null when none), its source and synonyms (broker-config/synonyms.ts), and
// read-only unless Kafka updates it dynamically. Name "": only the cluster-wide dynamic defaults set.

import type { BrokerLimits } from '../../config/limits.ts'
import type {
  DescribeConfigsResourceResult,
  DescribeConfigsSynonym,
} from '../../protocol/generated/describe-configs-response.ts'
import { topicConfigDefinitions } from '../../storage/topic-config.ts'
import {
  type BrokerConfigType,
  type DynamicConfigDefinition,
  dynamicConfigDefinitions,
  dynamicDefinitionOf,
} from '../broker-config/dynamic-definitions.ts'
import { type ConfigLayers, configSynonyms, ownValue } from '../broker-config/synonyms.ts'
import type { BrokerServices } from '../handler.ts'
import {
  brokerSynonymOfTopicConfig,
  brokerTopicDefault,
  ConfigSource,
  ConfigType,
  configEntry,
  type DescribeOptions,
} from './config-describe.ts'

interface BrokerConfig {
  name: string
  type: BrokerConfigType
  value: string
  /** Kafka's default, or null when Kafka has none (the value is then always set at start). */
  kafkaDefault: string | null
  doc: string
}

function ownConfigs(services: BrokerServices): BrokerConfig[] {
  const { identity, settings, dataDir, limits } = services
  const configs: BrokerConfig[] = [
    { name: 'node.id', type: 'int', value: String(identity.nodeId), kafkaDefault: null, doc: 'This broker.' },
    {
      name: 'broker.id',
      type: 'int',
      value: String(identity.nodeId),
      kafkaDefault: '-1',
      doc: 'Same as node.id.',
    },
    {
      name: 'advertised.listeners',
      type: 'string',
      value: `PLAINTEXT://${identity.host}:${identity.port}`,
      kafkaDefault: null,
      doc: 'The address clients are told to connect to (--advertised-addr).',
    },
    {
      name: 'num.partitions',
      type: 'int',
      value: String(settings.numPartitions),
      kafkaDefault: '1',
      doc: 'Partitions of auto-created topics and of CreateTopics with numPartitions -1.',
    },
    {
      name: 'default.replication.factor',
      type: 'int',
      value: '1',
      kafkaDefault: '1',
      doc: 'Replicas of each partition: one broker, one replica.',
    },
    {
      name: 'auto.create.topics.enable',
      type: 'boolean',
      value: String(settings.autoCreateTopicsEnable),
      kafkaDefault: 'true',
      doc: 'Whether Metadata and Produce create unknown topics.',
    },
    {
      name: 'delete.topic.enable',
      type: 'boolean',
      value: 'true',
      kafkaDefault: 'true',
      doc: 'DeleteTopics is allowed.',
    },
    ...internalTopicConfigs(services),
  ]
  if (dataDir !== undefined) {
    configs.push({
      name: 'log.dirs',
      type: 'string',
      value: (services.logs.logDirs?.() ?? [dataDir]).join(','),
      kafkaDefault: null,
      doc: 'The log directories (the data dir first).',
    })
  }
  if (limits !== undefined) configs.push(...limitConfigs(limits))
  return configs
}

/** offsets.topic.* and transaction.state.log.*: the state topics' partition counts and segment sizes. */
function internalTopicConfigs(services: BrokerServices): BrokerConfig[] {
  const offsets = services.groups.topicLog.topic.spec
  const transactions = services.transactions.topicSpec
  const config = (name: string, value: string | undefined, kafkaDefault: string): BrokerConfig => ({
    name,
    type: 'int',
    value: value ?? kafkaDefault,
    kafkaDefault,
    doc: 'How the internal topic is created (coordinator/state-topics.ts).',
  })
  return [
    config('offsets.topic.num.partitions', String(offsets.partitionCount), '50'),
    config('offsets.topic.segment.bytes', offsets.configs['segment.bytes'], '104857600'),
    config('transaction.state.log.num.partitions', String(transactions.partitionCount), '50'),
    config('transaction.state.log.segment.bytes', transactions.configs['segment.bytes'], '104857600'),
  ]
}

/** The bounds Kafka has names for (src/config/limits.ts). */
function limitConfigs(limits: BrokerLimits): BrokerConfig[] {
  const limit = (
    name: string,
    type: BrokerConfigType,
    value: number | string,
    kafkaDefault: string,
    doc: string,
  ) => ({
    name,
    type,
    value: String(value),
    kafkaDefault,
    doc,
  })
  return [
    limit(
      'socket.request.max.bytes',
      'int',
      limits.requestBytesMax,
      '104857600',
      'The largest request accepted.',
    ),
    limit(
      'connections.max.idle.ms',
      'long',
      limits.connectionsMaxIdleMs,
      '600000',
      'Idle connections are closed.',
    ),
    limit(
      'max.connections',
      'int',
      limits.connectionsMax,
      '2147483647',
      'Client connections accepted at once.',
    ),
    limit(
      'max.connections.per.ip',
      'int',
      limits.connectionsPerIpMax,
      '2147483647',
      'Connections per address.',
    ),
    limit(
      'max.connections.per.ip.overrides',
      'string',
      limits.connectionsPerIpOverrides,
      '',
      'Per-address overrides of max.connections.per.ip: address:count, comma-separated.',
    ),
    limit(
      'quota.window.num',
      'int',
      limits.quotaWindowNum,
      '11',
      'Samples a client quota rate is measured over.',
    ),
    limit('quota.window.size.seconds', 'int', limits.quotaWindowSizeSeconds, '1', 'One client quota sample.'),
  ]
}

/** Broker configs Kafka lists besides the dynamic ones: the other names of retention and roll times. */
const alternativeNameDefaults: readonly [string, string | null][] = [
  ['log.retention.hours', '168'],
  ['log.retention.minutes', null],
  ['log.roll.hours', '168'],
  ['log.roll.jitter.hours', '0'],
  ['log.flush.scheduler.interval.ms', '9223372036854775807'],
]

/** Each layer's values (synonyms.ts) for this broker. */
export function brokerConfigLayers(services: BrokerServices): ConfigLayers {
  const staticBroker: Record<string, string> = {}
  for (const config of ownConfigs(services))
    if (config.value !== config.kafkaDefault) staticBroker[config.name] = config.value
  const topicDefaults = services.topicDefaults ?? {}
  for (const definition of topicConfigDefinitions) {
    const { value, setAtStart } = brokerTopicDefault(definition, topicDefaults)
    const brokerName = brokerSynonymOfTopicConfig[definition.name]
    if (setAtStart && brokerName !== undefined) staticBroker[brokerName] = value
  }
  const kafkaDefaults = new Map<string, string>()
  const defaults: [string, string | null][] = [
    ...[...dynamicConfigDefinitions.values()].map((each): [string, string | null] => [
      each.name,
      each.kafkaDefault,
    ]),
    ...ownConfigs(services).map((each): [string, string | null] => [each.name, each.kafkaDefault]),
    ...alternativeNameDefaults,
  ]
  for (const [name, value] of defaults) if (value !== null) kafkaDefaults.set(name, value)
  return {
    dynamicBroker: services.dynamicConfigs?.at('perBroker') ?? {},
    dynamicDefault: services.dynamicConfigs?.at('clusterDefault') ?? {},
    staticBroker,
    kafkaDefaults,
  }
}

const configTypeOf: Record<BrokerConfigType, number> = {
  boolean: ConfigType.boolean,
  string: ConfigType.string,
  int: ConfigType.int,
  short: ConfigType.short,
  long: ConfigType.long,
  double: ConfigType.double,
  list: ConfigType.list,
  class: ConfigType.class,
  password: ConfigType.password,
}

interface Described {
  name: string
  type: BrokerConfigType | null
  doc: string
  dynamic: DynamicConfigDefinition | undefined
}

function describedNames(services: BrokerServices, layers: ConfigLayers): Described[] {
  const entries = new Map<string, Described>()
  const add = (name: string, type: BrokerConfigType | null, doc: string) => {
    if (!entries.has(name)) entries.set(name, { name, type, doc, dynamic: dynamicDefinitionOf(name) })
  }
  for (const config of ownConfigs(services)) add(config.name, config.type, config.doc)
  for (const definition of dynamicConfigDefinitions.values())
    add(definition.name, definition.type, docOf(definition))
  for (const [name] of alternativeNameDefaults)
    add(name, name.endsWith('.ms') ? 'long' : 'int', 'Read-only here.')
  for (const name of [...Object.keys(layers.dynamicDefault), ...Object.keys(layers.dynamicBroker)]) {
    const definition = dynamicDefinitionOf(name)
    add(name, definition?.type ?? null, definition === undefined ? '' : docOf(definition))
  }
  return [...entries.values()]
}

function docOf(definition: DynamicConfigDefinition): string {
  const effect = definition.effect === 'applied' ? 'applied at once' : 'stored and reported; no effect here'
  return `Dynamic (${definition.mode}): ${effect}.`
}

/** Kafka's createBrokerConfigEntry; `perBroker` false lists only cluster-default synonyms. */
function describeBrokerConfig(
  entry: Described,
  layers: ConfigLayers,
  perBroker: boolean,
  options: DescribeOptions,
): DescribeConfigsResourceResult {
  const sensitive = entry.type === 'password'
  const allSynonyms: DescribeConfigsSynonym[] = configSynonyms(entry.name, layers, { sensitive }).filter(
    (synonym) => perBroker || synonym.source === ConfigSource.dynamicDefaultBrokerConfig,
  )
  const value = perBroker
    ? (ownValue(layers.dynamicBroker, entry.name) ??
      ownValue(layers.dynamicDefault, entry.name) ??
      ownValue(layers.staticBroker, entry.name) ??
      layers.kafkaDefaults.get(entry.name) ??
      null)
    : (ownValue(layers.dynamicDefault, entry.name) ?? null)
  const source = allSynonyms.length === 0 ? ConfigSource.defaultConfig : allSynonyms[0].source
  const readOnly = entry.dynamic === undefined || entry.dynamic.describedReadOnly === true
  const type = entry.type === null ? ConfigType.unknown : configTypeOf[entry.type]
  const result = configEntry(
    { name: entry.name, value: sensitive ? null : value, readOnly, source, type, doc: entry.doc },
    allSynonyms,
    options,
  )
  return { ...result, isSensitive: sensitive }
}

/** This broker's configs (resourceName = id) or the cluster defaults set (""), sorted by name; only
 * those named in `keys` when given. */
export function describeBrokerConfigs(
  services: BrokerServices,
  resourceName: string,
  keys: readonly string[] | null,
  options: DescribeOptions,
): DescribeConfigsResourceResult[] {
  const layers = brokerConfigLayers(services)
  const perBroker = resourceName !== ''
  const entries = perBroker
    ? describedNames(services, layers)
    : Object.keys(layers.dynamicDefault).map((name) => {
        const dynamic = dynamicDefinitionOf(name)
        return {
          name,
          type: dynamic?.type ?? null,
          doc: dynamic === undefined ? '' : docOf(dynamic),
          dynamic,
        }
      })
  return entries
    .filter((entry) => keys === null || keys.length === 0 || keys.includes(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => describeBrokerConfig(entry, layers, perBroker, options))
}
