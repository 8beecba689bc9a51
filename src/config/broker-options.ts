// The typed configuration turned into what the broker's parts take: topic defaults and flush policy
// in Kafka's topic config names (the storage engine's broker-wide defaults), limits and settings.

import type { BrokerSettings } from '../broker/handler.ts'
import type { StartBrokerOptions } from '../broker/start.ts'
import type { GroupCoordinatorSettings } from '../coordinator/group/group-config.ts'
import type { Logger } from '../log.ts'
import { type TopicConfigOverrides, topicConfigDefinitions } from '../storage/topic-config.ts'
import { clusterOptionsOf } from './cluster-options.ts'
import { type BrokerLimits, defaultBrokerLimits } from './limits.ts'
import { registryOptionsOf } from './registry-options.ts'
import type { StreamlineConfig } from './schema.ts'
import { securityOf } from './security-options.ts'
import { tieredStorageOptionsOf } from './tiered-storage-options.ts'

/** Kafka's default of a topic config, as Kafka prints it (storage/topic-config.ts). */
const kafkaDefaults = new Map(
  topicConfigDefinitions.map((definition) => [definition.name, definition.defaultValue]),
)

/** Topic defaults that differ from Kafka's, as topic config overrides (`retention.ms`, `flush.ms`, …).
 * Compared with storage's table of Kafka's defaults, not the schema's (which equal them), so that the
 * CLI's start does not load the schema (config/quick-load.ts). */
export function topicDefaultsOf(config: StreamlineConfig): TopicConfigOverrides {
  const overrides: Record<string, string> = {}
  const { topics, flush } = config
  const pairs: Array<[string, string | number]> = [
    ['retention.ms', topics.retentionMs],
    ['retention.bytes', topics.retentionBytes],
    ['segment.bytes', topics.segmentBytes],
    ['segment.ms', topics.segmentMs],
    ['cleanup.policy', topics.cleanupPolicy],
    ['max.message.bytes', topics.maxMessageBytes],
    ['compression.type', topics.compressionType],
    ['message.timestamp.type', topics.messageTimestampType],
  ]
  for (const [name, value] of pairs)
    if (String(value) !== kafkaDefaults.get(name)) overrides[name] = String(value)
  if (flush.intervalMessages !== undefined) overrides['flush.messages'] = String(flush.intervalMessages)
  if (flush.intervalMs !== undefined) overrides['flush.ms'] = String(flush.intervalMs)
  return overrides
}

export function limitsOf(config: StreamlineConfig): BrokerLimits {
  return { ...defaultBrokerLimits, ...config.limits }
}

export function settingsOf(config: StreamlineConfig): BrokerSettings {
  return { autoCreateTopicsEnable: config.topics.autoCreate, numPartitions: config.topics.numPartitions }
}

/** Everything startBroker takes, from the typed configuration. */
export function startOptionsOf(config: StreamlineConfig, logger: Logger): StartBrokerOptions {
  const security = securityOf(config)
  const cluster = clusterOptionsOf(config)
  return {
    ...(cluster === null ? {} : { cluster }),
    ...(security.listeners === undefined ? {} : { listeners: security.listeners }),
    security: security.options,
    dataDir: config.dataDir,
    logDirs: config.logDirs
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    inMemory: config.inMemory,
    listenAddr: config.listenAddr,
    advertisedAddr: config.advertisedAddr,
    httpAddr: config.httpEnabled ? config.httpAddr : null,
    ...registryOptionsOf(config),
    connectAddr: config.connectEnabled ? config.connectAddr : null,
    connectWorker: {
      exactlyOnceSourceSupport: config.connectExactlyOnceSourceSupport,
      pluginPath: pluginPathOf(config.connectPluginPath),
      metricsWindow: {
        windowMs: config.connectMetricsSampleWindowMs,
        samples: config.connectMetricsNumSamples,
      },
      ...(config.connectGroupId.trim() === ''
        ? {}
        : {
            group: {
              groupId: config.connectGroupId.trim(),
              protocol: config.connectProtocol,
              sessionTimeoutMs: config.connectSessionTimeoutMs,
              heartbeatIntervalMs: config.connectHeartbeatIntervalMs,
              rebalanceTimeoutMs: config.connectRebalanceTimeoutMs,
              scheduledRebalanceMaxDelayMs: config.connectScheduledRebalanceMaxDelayMs,
            },
          }),
    },
    nodeId: config.nodeId,
    ...(config.brokerRack === '' ? {} : { brokerRack: config.brokerRack }),
    logger,
    limits: limitsOf(config),
    settings: settingsOf(config),
    topicDefaults: topicDefaultsOf(config),
    playground: config.playground,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    groups: groupOptionsOf(config),
    internalTopics: { offsetsTopicPartitions: config.groups.offsetsTopicNumPartitions },
    otel: config.otel,
    sql: config.sql,
    ...(config.tieredStorage.remoteLogStorageSystemEnable
      ? { tieredStorage: tieredStorageOptionsOf(config) }
      : {}),
  }
}

/** The coordinator settings of the `[groups]` section. */
export function groupOptionsOf(config: StreamlineConfig): GroupCoordinatorSettings {
  const { groups } = config
  return {
    classic: {
      initialRebalanceDelayMs: groups.initialRebalanceDelayMs,
      minSessionTimeoutMs: groups.minSessionTimeoutMs,
      maxSessionTimeoutMs: groups.maxSessionTimeoutMs,
    },
    consumer: {
      sessionTimeoutMs: groups.consumerSessionTimeoutMs,
      heartbeatIntervalMs: groups.consumerHeartbeatIntervalMs,
      migrationPolicy: groups.consumerMigrationPolicy,
    },
  }
}

/** plugin.path: comma-separated directories, blanks dropped. */
function pluginPathOf(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
}
