// Config entries as DescribeConfigs and CreateTopics (v5+) report them: Kafka's value formatting,
// sources, synonyms, types and documentation. Topic configs come from storage's definitions
// (src/storage/topic-config.ts); each has one broker-level synonym whose value is Kafka's default,
// since this broker sets no broker-wide topic defaults.

import type {
  DescribeConfigsResourceResult,
  DescribeConfigsSynonym,
} from '../../protocol/generated/describe-configs-response.ts'
import {
  defaultTopicConfig,
  longMax,
  resolveTopicConfig,
  type TopicConfigDefinition,
  type TopicConfigOverrides,
  type TopicConfigType,
  topicConfigDefinitions,
} from '../../storage/topic-config.ts'
import type { TopicDescription } from '../../storage/types.ts'

/** DescribeConfigsResponse.ConfigSource. */
export const ConfigSource = {
  unknown: 0,
  topicConfig: 1,
  dynamicBrokerConfig: 2,
  dynamicDefaultBrokerConfig: 3,
  staticBrokerConfig: 4,
  defaultConfig: 5,
} as const

/** DescribeConfigsResponse.ConfigType (v3+). */
export const ConfigType = {
  unknown: 0,
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
} as const

export interface DescribeOptions {
  /** The DescribeConfigs version the entries are for. */
  apiVersion: number
  includeSynonyms: boolean
  includeDocumentation: boolean
}

/** Kafka's broker config that provides each topic config's default (LogConfig's synonyms). */
export const brokerSynonymOfTopicConfig: Readonly<Record<string, string>> = {
  'cleanup.policy': 'log.cleanup.policy',
  'compression.type': 'compression.type',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'file.delete.delay.ms': 'log.segment.delete.delay.ms',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'max.message.bytes': 'message.max.bytes',
  'message.timestamp.type': 'log.message.timestamp.type',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'segment.bytes': 'log.segment.bytes',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'segment.ms': 'log.roll.ms',
  'segment.jitter.ms': 'log.roll.jitter.ms',
  'message.downconversion.enable': 'log.message.downconversion.enable',
  preallocate: 'log.preallocate',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
}

const configTypeOf: Record<TopicConfigType, number> = {
  int: ConfigType.int,
  long: ConfigType.long,
  double: ConfigType.double,
  string: ConfigType.string,
  list: ConfigType.list,
  boolean: ConfigType.boolean,
}

export function topicConfigType(definition: TopicConfigDefinition): number {
  return configTypeOf[definition.type]
}

/** A typed value printed as Kafka prints it (ConfigDef.convertToString). */
export function formatConfigValue(definition: TopicConfigDefinition, value: unknown): string {
  if (typeof value !== 'number') return String(value)
  if (definition.type === 'long' && value >= longMax) return '9223372036854775807'
  if (definition.type === 'double' && Number.isInteger(value)) return value.toFixed(1)
  return String(value)
}

/** One config entry; `isDefault` exists only in v0 (configSource replaces it from v1). */
export function configEntry(
  fields: {
    name: string
    value: string | null
    readOnly: boolean
    source: number
    type: number
    doc: string
  },
  synonyms: DescribeConfigsSynonym[],
  options: DescribeOptions,
): DescribeConfigsResourceResult {
  return {
    name: fields.name,
    value: fields.value,
    readOnly: fields.readOnly,
    isDefault: options.apiVersion === 0 && fields.source === ConfigSource.defaultConfig,
    configSource: fields.source,
    isSensitive: false,
    synonyms: options.includeSynonyms ? synonyms : [],
    configType: fields.type,
    documentation: options.includeDocumentation ? fields.doc : null,
  }
}

/** The broker-wide default of a topic config as Kafka prints it: the broker's own (set at start,
 * `topicDefaults`) or else Kafka's. */
export function brokerTopicDefault(
  definition: TopicConfigDefinition,
  topicDefaults: TopicConfigOverrides,
): { value: string; setAtStart: boolean } {
  if (!Object.hasOwn(topicDefaults, definition.name))
    return { value: definition.defaultValue, setAtStart: false }
  const config = resolveTopicConfig(defaultTopicConfig(), {
    [definition.name]: topicDefaults[definition.name],
  })
  return { value: formatConfigValue(definition, config[definition.field]), setAtStart: true }
}

/** Kafka's createTopicConfigEntry: the override (TOPIC_CONFIG) when set, then the broker's default
 * set at start (STATIC_BROKER_CONFIG), then Kafka's default (DEFAULT_CONFIG). */
export function describeTopicConfig(
  topic: TopicDescription,
  definition: TopicConfigDefinition,
  topicDefaults: TopicConfigOverrides,
  options: DescribeOptions,
): DescribeConfigsResourceResult {
  const value = formatConfigValue(definition, topic.config[definition.field])
  const synonyms: DescribeConfigsSynonym[] = []
  if (Object.hasOwn(topic.configOverrides, definition.name)) {
    synonyms.push({ name: definition.name, value, source: ConfigSource.topicConfig })
  }
  const brokerName = brokerSynonymOfTopicConfig[definition.name] ?? definition.name
  const brokerDefault = brokerTopicDefault(definition, topicDefaults)
  if (brokerDefault.setAtStart) {
    synonyms.push({ name: brokerName, value: brokerDefault.value, source: ConfigSource.staticBrokerConfig })
  }
  synonyms.push({ name: brokerName, value: definition.defaultValue, source: ConfigSource.defaultConfig })
  const source = synonyms.length === 0 ? ConfigSource.defaultConfig : synonyms[0].source
  const fields = { name: definition.name, value, readOnly: false, source, doc: definition.doc }
  return configEntry({ ...fields, type: topicConfigType(definition) }, synonyms, options)
}

/** Every topic config of `topic`, or those named in `keys` (unknown names are left out; null or an
 * empty list means all, as in Kafka's ConfigHelper). */
export function describeTopicConfigs(
  topic: TopicDescription,
  keys: readonly string[] | null,
  topicDefaults: TopicConfigOverrides,
  options: DescribeOptions,
): DescribeConfigsResourceResult[] {
  return topicConfigDefinitions
    .filter((definition) => keys === null || keys.length === 0 || keys.includes(definition.name))
    .map((definition) => describeTopicConfig(topic, definition, topicDefaults, options))
}
