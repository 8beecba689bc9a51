// Config entries as DescribeConfigs and CreateTopics (v5+) report them: Kafka's value formatting,
// sources, synonyms, types and documentation. Topic configs come from storage's definitions
// (src/storage/topic-config.ts); their broker-level synonyms follow Kafka's ConfigHelper
// (broker-config/synonyms.ts): the broker default's name at each layer where it is set, and a
// DEFAULT_CONFIG synonym only when that broker config has a Kafka default of its own.

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
import { dynamicConfigDefinitions } from '../broker-config/dynamic-definitions.ts'
import { type ConfigLayers, ConfigSource, configSynonyms } from '../broker-config/synonyms.ts'

export { ConfigSource }

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

/** Kafka's broker config that provides each topic config's default (ServerTopicConfigSynonyms). */
export const brokerSynonymOfTopicConfig: Readonly<Record<string, string>> = Object.fromEntries(
  [...dynamicConfigDefinitions.values()].flatMap((definition) =>
    definition.topicConfig === undefined ? [] : [[definition.topicConfig, definition.name]],
  ),
)

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

/** Kafka's createTopicConfigEntry: the override (TOPIC_CONFIG) when set, then the synonyms of the
 * broker default (configSynonyms); the source is the first synonym's, DEFAULT_CONFIG without any. */
export function describeTopicConfig(
  topic: TopicDescription,
  definition: TopicConfigDefinition,
  layers: ConfigLayers,
  options: DescribeOptions,
): DescribeConfigsResourceResult {
  const value = formatConfigValue(definition, topic.config[definition.field])
  const synonyms: DescribeConfigsSynonym[] = []
  if (Object.hasOwn(topic.configOverrides, definition.name)) {
    synonyms.push({ name: definition.name, value, source: ConfigSource.topicConfig })
  }
  const brokerName = brokerSynonymOfTopicConfig[definition.name]
  if (brokerName !== undefined) synonyms.push(...configSynonyms(brokerName, layers, { sensitive: false }))
  const source = synonyms.length === 0 ? ConfigSource.defaultConfig : synonyms[0].source
  const fields = { name: definition.name, value, readOnly: false, source, doc: definition.doc }
  return configEntry({ ...fields, type: topicConfigType(definition) }, synonyms, options)
}

/** Every topic config of `topic`, or those named in `keys` (unknown names are left out; null or an
 * empty list means all, as in Kafka's ConfigHelper). */
export function describeTopicConfigs(
  topic: TopicDescription,
  keys: readonly string[] | null,
  layers: ConfigLayers,
  options: DescribeOptions,
): DescribeConfigsResourceResult[] {
  return topicConfigDefinitions
    .filter((definition) => keys === null || keys.length === 0 || keys.includes(definition.name))
    .map((definition) => describeTopicConfig(topic, definition, layers, options))
}
