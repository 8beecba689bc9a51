// The broker configs Kafka 3.9 updates dynamically (DynamicBrokerConfig.AllDynamicConfigs, and the
// replication quota configs of DynamicConfig.Broker), with Kafka's types, defaults, valid values and
// update modes: `per-broker` configs (listeners, SSL and SASL settings) may be set only for a broker
// id, `cluster-wide` ones also as the cluster default (resource name ""). AlterConfigs and
// IncrementalAlterConfigs accept exactly these (dynamic-validate.ts); `effect` says what this broker
// does with each (docs/configuration.md lists the ones with no effect).

import { topicConfigDefinition } from '../../storage/topic-config.ts'

export type BrokerConfigType =
  | 'boolean'
  | 'string'
  | 'int'
  | 'short'
  | 'long'
  | 'double'
  | 'list'
  | 'class'
  | 'password'

export type DynamicUpdateMode = 'per-broker' | 'cluster-wide'

export interface DynamicConfigDefinition {
  name: string
  type: BrokerConfigType
  /** Kafka's default as Kafka prints it; null when Kafka has none. */
  kafkaDefault: string | null
  mode: DynamicUpdateMode
  /** Inclusive range (numbers) or allowed values (strings, lists); absent: any value of the type. */
  valid?: { min: number; max: number } | { oneOf: readonly string[] }
  /** The topic config this is the broker-wide default of (applied to topics without an override). */
  topicConfig?: string
  /** Kafka lets these be set only with a listener prefix (listener.name.<listener>.<config>). */
  listenerPrefixOnly?: boolean
  /** A thread pool size: Kafka allows from half to double the current value. */
  threadPool?: boolean
  /** Not in Kafka's AllDynamicConfigs (a replication quota): DescribeConfigs calls it read-only. */
  describedReadOnly?: boolean
  /** What this broker does with it: `applied` takes effect at once; `none` is stored and reported only. */
  effect: 'applied' | 'none'
}

const int32Max = 2 ** 31 - 1
const longMax = Number.MAX_SAFE_INTEGER
const longMaxText = '9223372036854775807'

function clusterWide(
  name: string,
  type: BrokerConfigType,
  kafkaDefault: string | null,
  extra: Partial<DynamicConfigDefinition> = {},
): DynamicConfigDefinition {
  return { name, type, kafkaDefault, mode: 'cluster-wide', effect: 'none', ...extra }
}

function perBroker(
  name: string,
  type: BrokerConfigType,
  kafkaDefault: string | null,
  extra: Partial<DynamicConfigDefinition> = {},
): DynamicConfigDefinition {
  return { name, type, kafkaDefault, mode: 'per-broker', effect: 'none', ...extra }
}

/** Broker defaults of topic configs (ServerTopicConfigSynonyms): name, topic config, type, Kafka default. */
const topicDefaultConfigs: readonly [string, string, BrokerConfigType, string | null][] = [
  ['log.segment.bytes', 'segment.bytes', 'int', '1073741824'],
  ['log.roll.ms', 'segment.ms', 'long', null],
  ['log.roll.jitter.ms', 'segment.jitter.ms', 'long', null],
  ['log.index.size.max.bytes', 'segment.index.bytes', 'int', '10485760'],
  ['log.flush.interval.messages', 'flush.messages', 'long', longMaxText],
  ['log.flush.interval.ms', 'flush.ms', 'long', null],
  ['log.retention.bytes', 'retention.bytes', 'long', '-1'],
  ['log.retention.ms', 'retention.ms', 'long', null],
  ['message.max.bytes', 'max.message.bytes', 'int', '1048588'],
  ['log.index.interval.bytes', 'index.interval.bytes', 'int', '4096'],
  ['log.cleaner.delete.retention.ms', 'delete.retention.ms', 'long', '86400000'],
  ['log.cleaner.min.compaction.lag.ms', 'min.compaction.lag.ms', 'long', '0'],
  ['log.cleaner.max.compaction.lag.ms', 'max.compaction.lag.ms', 'long', longMaxText],
  ['log.segment.delete.delay.ms', 'file.delete.delay.ms', 'long', '60000'],
  ['log.cleaner.min.cleanable.ratio', 'min.cleanable.dirty.ratio', 'double', '0.5'],
  ['log.cleanup.policy', 'cleanup.policy', 'list', 'delete'],
  ['unclean.leader.election.enable', 'unclean.leader.election.enable', 'boolean', 'false'],
  ['min.insync.replicas', 'min.insync.replicas', 'int', '1'],
  ['compression.type', 'compression.type', 'string', 'producer'],
  ['log.preallocate', 'preallocate', 'boolean', 'false'],
  ['log.message.format.version', 'message.format.version', 'string', '3.0-IV1'],
  ['log.message.timestamp.type', 'message.timestamp.type', 'string', 'CreateTime'],
  ['log.message.timestamp.difference.max.ms', 'message.timestamp.difference.max.ms', 'long', longMaxText],
  ['log.message.timestamp.before.max.ms', 'message.timestamp.before.max.ms', 'long', longMaxText],
  ['log.message.timestamp.after.max.ms', 'message.timestamp.after.max.ms', 'long', longMaxText],
  ['log.message.downconversion.enable', 'message.downconversion.enable', 'boolean', 'true'],
]

function topicDefaultDefinition([name, topic, type, kafkaDefault]: (typeof topicDefaultConfigs)[number]) {
  const topicDefinition = topicConfigDefinition(topic)
  const valid =
    topicDefinition !== undefined && !('pattern' in topicDefinition.valid) ? topicDefinition.valid : undefined
  return clusterWide(name, type, kafkaDefault, {
    topicConfig: topic,
    effect: topicDefinition === undefined ? 'none' : 'applied',
    ...(valid === undefined ? {} : { valid }),
  })
}

const nonNegativeInt = { min: 0, max: int32Max }
const nonNegativeLong = { min: 0, max: longMax }
const positiveLong = { min: 1, max: longMax }

/** Every dynamic broker config, by name. */
export const dynamicConfigDefinitions: ReadonlyMap<string, DynamicConfigDefinition> = new Map(
  [
    ...topicDefaultConfigs.map(topicDefaultDefinition),
    clusterWide('compression.gzip.level', 'int', '-1'),
    clusterWide('compression.lz4.level', 'int', '9', { valid: { min: 1, max: 17 } }),
    clusterWide('compression.zstd.level', 'int', '3', { valid: { min: -131072, max: 22 } }),
    clusterWide('log.local.retention.ms', 'long', '-2', { valid: { min: -2, max: longMax } }),
    clusterWide('log.local.retention.bytes', 'long', '-2', { valid: { min: -2, max: longMax } }),
    // The log cleaner (LogCleaner.ReconfigurableConfigs).
    clusterWide('log.cleaner.threads', 'int', '1', { valid: nonNegativeInt, threadPool: true }),
    clusterWide('log.cleaner.dedupe.buffer.size', 'long', '134217728'),
    clusterWide('log.cleaner.io.buffer.load.factor', 'double', '0.9'),
    clusterWide('log.cleaner.io.buffer.size', 'int', '524288', { valid: nonNegativeInt }),
    clusterWide('log.cleaner.io.max.bytes.per.second', 'double', '1.7976931348623157E308'),
    clusterWide('log.cleaner.backoff.ms', 'long', '15000', { valid: nonNegativeLong }),
    // Thread pools (DynamicThreadPool, and the network threads of the listeners).
    clusterWide('num.io.threads', 'int', '8', { valid: { min: 1, max: int32Max }, threadPool: true }),
    clusterWide('num.network.threads', 'int', '3', { valid: { min: 1, max: int32Max }, threadPool: true }),
    clusterWide('num.replica.fetchers', 'int', '1', { threadPool: true }),
    clusterWide('num.recovery.threads.per.data.dir', 'int', '2', {
      valid: { min: 1, max: int32Max },
      threadPool: true,
    }),
    clusterWide('background.threads', 'int', '10', { valid: { min: 1, max: int32Max }, threadPool: true }),
    clusterWide('metric.reporters', 'list', ''),
    clusterWide('config.providers', 'list', ''),
    // Connection limits (SocketServer.ReconfigurableConfigs).
    clusterWide('max.connections', 'int', String(int32Max), { valid: nonNegativeInt, effect: 'applied' }),
    clusterWide('max.connections.per.ip', 'int', String(int32Max), {
      valid: nonNegativeInt,
      effect: 'applied',
    }),
    clusterWide('max.connections.per.ip.overrides', 'string', '', { effect: 'applied' }),
    clusterWide('max.connection.creation.rate', 'int', String(int32Max), { valid: nonNegativeInt }),
    // Producer state (DynamicProducerStateManagerConfig) and tiered storage (DynamicRemoteLogConfig).
    clusterWide('producer.id.expiration.ms', 'int', '86400000', { valid: { min: 1, max: int32Max } }),
    clusterWide('transaction.partition.verification.enable', 'boolean', 'true'),
    clusterWide('remote.log.index.file.cache.total.size.bytes', 'long', '1073741824', {
      valid: positiveLong,
    }),
    clusterWide('remote.log.manager.copy.max.bytes.per.second', 'long', longMaxText, { valid: positiveLong }),
    clusterWide('remote.log.manager.fetch.max.bytes.per.second', 'long', longMaxText, {
      valid: positiveLong,
    }),
    // Replication quotas (DynamicConfig.Broker's QuotaConfigs).
    ...['leader.replication.throttled.rate', 'follower.replication.throttled.rate'].map((name) =>
      clusterWide(name, 'long', longMaxText, { valid: nonNegativeLong, describedReadOnly: true }),
    ),
    clusterWide('replica.alter.log.dirs.io.max.bytes.per.second', 'long', longMaxText, {
      valid: nonNegativeLong,
      describedReadOnly: true,
    }),
    // Listeners and security (DynamicListenerConfig): per broker.
    perBroker('advertised.listeners', 'string', null),
    perBroker('listeners', 'string', 'PLAINTEXT://:9092'),
    perBroker(
      'listener.security.protocol.map',
      'string',
      'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
    ),
    perBroker(
      'principal.builder.class',
      'class',
      'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder',
    ),
    perBroker('ssl.protocol', 'string', 'TLSv1.3'),
    perBroker('ssl.provider', 'string', null),
    perBroker('ssl.cipher.suites', 'list', ''),
    perBroker('ssl.enabled.protocols', 'list', 'TLSv1.2,TLSv1.3'),
    perBroker('ssl.keymanager.algorithm', 'string', 'SunX509'),
    perBroker('ssl.trustmanager.algorithm', 'string', 'PKIX'),
    perBroker('ssl.endpoint.identification.algorithm', 'string', 'https'),
    perBroker('ssl.secure.random.implementation', 'string', null),
    perBroker('ssl.client.auth', 'string', 'none', { valid: { oneOf: ['required', 'requested', 'none'] } }),
    perBroker('ssl.engine.factory.class', 'class', null),
    ...(
      [
        ['ssl.keystore.type', 'string', 'JKS'],
        ['ssl.keystore.location', 'string', null],
        ['ssl.keystore.password', 'password', null],
        ['ssl.key.password', 'password', null],
        ['ssl.keystore.key', 'password', null],
        ['ssl.keystore.certificate.chain', 'password', null],
        ['ssl.truststore.type', 'string', 'JKS'],
        ['ssl.truststore.location', 'string', null],
        ['ssl.truststore.password', 'password', null],
        ['ssl.truststore.certificates', 'password', null],
      ] as const
    ).map(([name, type, kafkaDefault]) => perBroker(name, type, kafkaDefault, { listenerPrefixOnly: true })),
    perBroker('sasl.mechanism.inter.broker.protocol', 'string', 'GSSAPI'),
    perBroker('sasl.jaas.config', 'password', null),
    perBroker('sasl.enabled.mechanisms', 'list', 'GSSAPI'),
    perBroker('sasl.kerberos.service.name', 'string', null),
    perBroker('sasl.kerberos.kinit.cmd', 'string', '/usr/bin/kinit'),
    perBroker('sasl.kerberos.ticket.renew.window.factor', 'double', '0.8'),
    perBroker('sasl.kerberos.ticket.renew.jitter', 'double', '0.05'),
    perBroker('sasl.kerberos.min.time.before.relogin', 'long', '60000'),
    perBroker('sasl.kerberos.principal.to.local.rules', 'list', 'DEFAULT'),
    perBroker('sasl.login.refresh.window.factor', 'double', '0.8', { valid: { min: 0.5, max: 1 } }),
    perBroker('sasl.login.refresh.window.jitter', 'double', '0.05', { valid: { min: 0, max: 0.25 } }),
    perBroker('sasl.login.refresh.min.period.seconds', 'short', '60', { valid: { min: 0, max: 900 } }),
    perBroker('sasl.login.refresh.buffer.seconds', 'short', '300', { valid: { min: 0, max: 3600 } }),
  ].map((definition) => [definition.name, definition]),
)

/** Listener configs that stay cluster-wide under a listener prefix (ClusterLevelListenerConfigs). */
export const clusterLevelListenerConfigs: ReadonlySet<string> = new Set([
  'max.connections',
  'max.connection.creation.rate',
  'num.network.threads',
])

const listenerConfigPattern = /^listener\.name\.[^.]*\.(.*)$/

/** The base name of a listener-prefixed config (`listener.name.<listener>.<config>`), or null. */
export function listenerConfigBase(name: string): string | null {
  return listenerConfigPattern.exec(name)?.[1] ?? null
}

/** The definition that types `name`: its own, or its base config's for a listener-prefixed name
 * (a SASL mechanism prefix, `<mechanism>.sasl.jaas.config`, types as `sasl.jaas.config`). */
export function dynamicDefinitionOf(name: string): DynamicConfigDefinition | undefined {
  const own = dynamicConfigDefinitions.get(name)
  if (own !== undefined) return own
  const base = listenerConfigBase(name)
  if (base === null) return undefined
  return dynamicConfigDefinitions.get(base) ?? dynamicConfigDefinitions.get(base.replace(/^[^.]+\./, ''))
}
