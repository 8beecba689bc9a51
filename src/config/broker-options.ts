// The typed configuration turned into what the broker's parts take: topic defaults and flush policy
// in Kafka's topic config names (the storage engine's broker-wide defaults), limits and settings.

import type { BrokerSettings } from '../broker/handler.ts'
import type { StartBrokerOptions } from '../broker/start.ts'
import type { Logger } from '../log.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'
import { type BrokerLimits, defaultBrokerLimits } from './limits.ts'
import { defaultConfig, type StreamlineConfig } from './schema.ts'
import { securityOf } from './security-options.ts'

/** Topic defaults that differ from Kafka's, as topic config overrides (`retention.ms`, `flush.ms`, …). */
export function topicDefaultsOf(config: StreamlineConfig): TopicConfigOverrides {
  const overrides: Record<string, string> = {}
  const { topics, flush } = config
  const defaults = defaultConfig.topics
  const pairs: Array<[string, string | number, string | number]> = [
    ['retention.ms', topics.retentionMs, defaults.retentionMs],
    ['retention.bytes', topics.retentionBytes, defaults.retentionBytes],
    ['segment.bytes', topics.segmentBytes, defaults.segmentBytes],
    ['segment.ms', topics.segmentMs, defaults.segmentMs],
    ['cleanup.policy', topics.cleanupPolicy, defaults.cleanupPolicy],
    ['max.message.bytes', topics.maxMessageBytes, defaults.maxMessageBytes],
    ['compression.type', topics.compressionType, defaults.compressionType],
    ['message.timestamp.type', topics.messageTimestampType, defaults.messageTimestampType],
  ]
  for (const [name, value, kafkaDefault] of pairs) if (value !== kafkaDefault) overrides[name] = String(value)
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
  return {
    ...(security.listeners === undefined ? {} : { listeners: security.listeners }),
    security: security.options,
    dataDir: config.dataDir,
    inMemory: config.inMemory,
    listenAddr: config.listenAddr,
    advertisedAddr: config.advertisedAddr,
    httpAddr: config.httpEnabled ? config.httpAddr : null,
    nodeId: config.nodeId,
    logger,
    limits: limitsOf(config),
    settings: settingsOf(config),
    topicDefaults: topicDefaultsOf(config),
    playground: config.playground,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  }
}
