// DescribeConfigs synonyms by Kafka's rules (ConfigHelper.configSynonyms and
// DynamicBrokerConfig.brokerConfigSynonyms): a broker config's synonyms are the names it can be set
// under (log.retention.ms / .minutes / .hours, a listener-prefixed name and its base), listed for each
// layer where one is set, in order of precedence: DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
// STATIC_BROKER_CONFIG, DEFAULT_CONFIG (only for names that have a Kafka default of their own). The
// list then starts at the first entry for the config's own name, so a config set nowhere under its
// own name and without a default of its own (log.retention.ms) lists none.

import type { DescribeConfigsSynonym } from '../../protocol/generated/describe-configs-response.ts'
import { listenerConfigBase } from './dynamic-definitions.ts'

/** DescribeConfigsResponse.ConfigSource. */
export const ConfigSource = {
  unknown: 0,
  topicConfig: 1,
  dynamicBrokerConfig: 2,
  dynamicDefaultBrokerConfig: 3,
  staticBrokerConfig: 4,
  defaultConfig: 5,
} as const

const synonymGroups: readonly (readonly string[])[] = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
]

/** Configs a listener prefix carries with a SASL mechanism in between (ListenerMechanismConfigs). */
const listenerMechanismConfigs = [
  'sasl.jaas.config',
  'sasl.login.callback.handler.class',
  'sasl.login.class',
  'sasl.server.callback.handler.class',
  'connections.max.reauth.ms',
]

/** Kafka's brokerConfigSynonyms(name, matchListenerOverride = true). */
export function brokerConfigSynonyms(name: string): string[] {
  const group = synonymGroups.find((names) => names.includes(name))
  if (group !== undefined) return [...group]
  // log.flush.scheduler.interval.ms is used as the default of log.flush.interval.ms.
  if (name === 'log.flush.interval.ms') return [name, 'log.flush.scheduler.interval.ms']
  const base = listenerConfigBase(name)
  if (base !== null) return [name, listenerMechanismConfigs.find((config) => base.endsWith(config)) ?? base]
  return [name]
}

/** The values of broker configs at each layer, by broker config name. */
export interface ConfigLayers {
  dynamicBroker: Readonly<Record<string, string>>
  dynamicDefault: Readonly<Record<string, string>>
  staticBroker: Readonly<Record<string, string>>
  /** Kafka's defaults, only for names that have one (null defaults are absent). */
  kafkaDefaults: ReadonlyMap<string, string>
}

/** `record[key]` when the record has it as its own property. */
export function ownValue(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** Kafka's configSynonyms(name, brokerConfigSynonyms(name)); `sensitive` hides the values. */
export function configSynonyms(
  name: string,
  layers: ConfigLayers,
  options: { sensitive: boolean },
): DescribeConfigsSynonym[] {
  const names = brokerConfigSynonyms(name)
  const sources: [(each: string) => string | undefined, number][] = [
    [(each) => ownValue(layers.dynamicBroker, each), ConfigSource.dynamicBrokerConfig],
    [(each) => ownValue(layers.dynamicDefault, each), ConfigSource.dynamicDefaultBrokerConfig],
    [(each) => ownValue(layers.staticBroker, each), ConfigSource.staticBrokerConfig],
    [(each) => layers.kafkaDefaults.get(each), ConfigSource.defaultConfig],
  ]
  const synonyms: DescribeConfigsSynonym[] = []
  for (const [lookup, source] of sources) {
    for (const each of names) {
      const value = lookup(each)
      if (value !== undefined) synonyms.push({ name: each, value: options.sensitive ? null : value, source })
    }
  }
  const first = synonyms.findIndex((synonym) => synonym.name === name)
  return first === -1 ? [] : synonyms.slice(first)
}
