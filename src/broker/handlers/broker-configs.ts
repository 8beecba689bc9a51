// The broker configs DescribeConfigs reports for this broker (resource type BROKER, name = node id):
// only settings the broker really has, with their real values. None can be changed at run time, so
// all are read-only; a value set at start (a topic default given to the broker, or a setting that
// differs from Kafka's default) is STATIC_BROKER_CONFIG, otherwise it is DEFAULT_CONFIG.

import type { BrokerLimits } from '../../config/limits.ts'
import type {
  DescribeConfigsResourceResult,
  DescribeConfigsSynonym,
} from '../../protocol/generated/describe-configs-response.ts'
import { type TopicConfigOverrides, topicConfigDefinitions } from '../../storage/topic-config.ts'
import type { BrokerServices } from '../handler.ts'
import {
  brokerSynonymOfTopicConfig,
  brokerTopicDefault,
  ConfigSource,
  ConfigType,
  configEntry,
  type DescribeOptions,
  topicConfigType,
} from './config-describe.ts'

interface BrokerConfig {
  name: string
  type: number
  value: string
  /** Kafka's default, or null when Kafka has none (the value is then always set at start). */
  kafkaDefault: string | null
  /** Whether the value was set at start; by default, when it differs from Kafka's default. */
  setAtStart?: boolean
  doc: string
}

function ownConfigs(services: BrokerServices): BrokerConfig[] {
  const { identity, settings, dataDir, limits } = services
  const configs: BrokerConfig[] = [
    {
      name: 'node.id',
      type: ConfigType.int,
      value: String(identity.nodeId),
      kafkaDefault: null,
      doc: 'This broker.',
    },
    {
      name: 'broker.id',
      type: ConfigType.int,
      value: String(identity.nodeId),
      kafkaDefault: '-1',
      doc: 'Same as node.id.',
    },
    {
      name: 'advertised.listeners',
      type: ConfigType.string,
      value: `PLAINTEXT://${identity.host}:${identity.port}`,
      kafkaDefault: null,
      doc: 'The address clients are told to connect to (--advertised-addr).',
    },
    {
      name: 'num.partitions',
      type: ConfigType.int,
      value: String(settings.numPartitions),
      kafkaDefault: '1',
      doc: 'Partitions of auto-created topics and of CreateTopics with numPartitions -1.',
    },
    {
      name: 'default.replication.factor',
      type: ConfigType.int,
      value: '1',
      kafkaDefault: '1',
      doc: 'Replicas of each partition: one broker, one replica.',
    },
    {
      name: 'auto.create.topics.enable',
      type: ConfigType.boolean,
      value: String(settings.autoCreateTopicsEnable),
      kafkaDefault: 'true',
      doc: 'Whether Metadata and Produce create unknown topics.',
    },
    {
      name: 'delete.topic.enable',
      type: ConfigType.boolean,
      value: 'true',
      kafkaDefault: 'true',
      doc: 'DeleteTopics is allowed.',
    },
  ]
  if (dataDir !== undefined) {
    configs.push({
      name: 'log.dirs',
      type: ConfigType.string,
      value: dataDir,
      kafkaDefault: null,
      doc: 'The data directory (--data-dir).',
    })
  }
  if (limits !== undefined) configs.push(...limitConfigs(limits))
  return configs
}

/** The bounds Kafka has names for (src/config/limits.ts). */
function limitConfigs(limits: BrokerLimits): BrokerConfig[] {
  return [
    {
      name: 'socket.request.max.bytes',
      type: ConfigType.int,
      value: String(limits.requestBytesMax),
      kafkaDefault: '104857600',
      doc: 'The largest request accepted; a larger size prefix closes the connection.',
    },
    {
      name: 'connections.max.idle.ms',
      type: ConfigType.long,
      value: String(limits.connectionsMaxIdleMs),
      kafkaDefault: '600000',
      doc: 'Connections idle this long are closed.',
    },
    {
      name: 'max.connections',
      type: ConfigType.int,
      value: String(limits.connectionsMax),
      kafkaDefault: '2147483647',
      doc: 'Client connections accepted at once.',
    },
    {
      name: 'max.connections.per.ip',
      type: ConfigType.int,
      value: String(limits.connectionsPerIpMax),
      kafkaDefault: '2147483647',
      doc: 'Connections accepted at once from one address.',
    },
    {
      name: 'max.connections.per.ip.overrides',
      type: ConfigType.string,
      value: limits.connectionsPerIpOverrides,
      kafkaDefault: '',
      doc: 'Per-address overrides of max.connections.per.ip: address:count, comma-separated.',
    },
    {
      name: 'quota.window.num',
      type: ConfigType.int,
      value: String(limits.quotaWindowNum),
      kafkaDefault: '11',
      doc: 'Samples a client quota rate is measured over.',
    },
    {
      name: 'quota.window.size.seconds',
      type: ConfigType.int,
      value: String(limits.quotaWindowSizeSeconds),
      kafkaDefault: '1',
      doc: 'The length of one client quota sample.',
    },
  ]
}

/** The broker-level defaults of topic configs: the values new topics get. */
function topicDefaultConfigs(topicDefaults: TopicConfigOverrides): BrokerConfig[] {
  return topicConfigDefinitions.map((definition) => {
    const { value, setAtStart } = brokerTopicDefault(definition, topicDefaults)
    return {
      name: brokerSynonymOfTopicConfig[definition.name] ?? definition.name,
      type: topicConfigType(definition),
      value,
      kafkaDefault: definition.defaultValue,
      setAtStart,
      doc: `Default of the topic config ${definition.name}: ${definition.doc}`,
    }
  })
}

function describeBrokerConfig(config: BrokerConfig, options: DescribeOptions): DescribeConfigsResourceResult {
  const synonyms: DescribeConfigsSynonym[] = []
  if (config.setAtStart ?? config.value !== config.kafkaDefault) {
    synonyms.push({ name: config.name, value: config.value, source: ConfigSource.staticBrokerConfig })
  }
  if (config.kafkaDefault !== null) {
    synonyms.push({ name: config.name, value: config.kafkaDefault, source: ConfigSource.defaultConfig })
  }
  const fields = { ...config, readOnly: true, source: synonyms[0].source }
  return configEntry(fields, synonyms, options)
}

/** This broker's configs, or those named in `keys` (null or empty: all), sorted by name. */
export function describeBrokerConfigs(
  services: BrokerServices,
  keys: readonly string[] | null,
  options: DescribeOptions,
): DescribeConfigsResourceResult[] {
  return [...ownConfigs(services), ...topicDefaultConfigs(services.topicDefaults ?? {})]
    .filter((config) => keys === null || keys.length === 0 || keys.includes(config.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((config) => describeBrokerConfig(config, options))
}
