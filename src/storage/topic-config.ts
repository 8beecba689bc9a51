// Topic configuration: Kafka's names, types and defaults (configuration.html, "Topic-Level Configs"),
// mapped once, here, to a typed camelCase object. Everything past this file uses TopicConfig fields;
// the dotted names appear nowhere else in storage. Unknown names and invalid values are refused with
// KafkaError INVALID_CONFIG (40). `topicConfigDefinitions` is exported for DescribeConfigs.

import { KafkaError } from '../errors.ts'
import { StorageErrorCode } from './error-codes.ts'
import { checkRemoteStorageConfig } from './tiered/remote-topic-config.ts'

/** Kafka's Long.MAX_VALUE default ("never") is represented as Number.MAX_SAFE_INTEGER. */
export const longMax = Number.MAX_SAFE_INTEGER

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete'
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime'
export type TopicCompressionType = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export interface TopicConfig {
  cleanupPolicy: CleanupPolicy
  compressionType: TopicCompressionType
  deleteRetentionMs: number
  fileDeleteDelayMs: number
  flushMessages: number
  flushMs: number
  indexIntervalBytes: number
  maxCompactionLagMs: number
  maxMessageBytes: number
  messageTimestampType: MessageTimestampType
  /** How far in the past a CreateTime timestamp may be (INVALID_TIMESTAMP beyond). */
  messageTimestampBeforeMaxMs: number
  /** How far in the future a CreateTime timestamp may be. */
  messageTimestampAfterMaxMs: number
  /** Deprecated in Kafka 3.6 for the two above: the largest difference either way. */
  messageTimestampDifferenceMaxMs: number
  minCleanableDirtyRatio: number
  minCompactionLagMs: number
  retentionBytes: number
  retentionMs: number
  segmentBytes: number
  segmentIndexBytes: number
  segmentMs: number
  /** With acks=all a write needs this many in-sync replicas: on one broker, more than 1 fails every
   * acks=all produce with NOT_ENOUGH_REPLICAS, as Kafka would. */
  minInsyncReplicas: number
  /** Whether Fetch v0-3 (magic 0/1 readers) may get down-converted data; false: UNSUPPORTED_VERSION. */
  messageDownconversionEnable: boolean
  /** Accepted for compatibility; one broker has no other replica to elect. */
  uncleanLeaderElectionEnable: boolean
  /** Accepted for compatibility; segments are not preallocated. */
  preallocate: boolean
  /** Accepted for compatibility; segments roll exactly at segment.ms. */
  segmentJitterMs: number
  /** Deprecated in Kafka 3.0 and ignored from inter.broker.protocol.version 3.0 on (Kafka 3.x keeps
   * and reports it): any version Kafka knows is accepted and stored; records are stored as produced. */
  messageFormatVersion: string
  // Tiered storage (KIP-405, storage/tiered/): local.* bound the local copy, retention.* the whole log.
  remoteStorageEnable: boolean
  /** -2: same as retention.ms. */
  localRetentionMs: number
  /** -2: same as retention.bytes. */
  localRetentionBytes: number
  /** `remote.log.copy.disable`: remote data stays readable, nothing more is copied, and local data
   * follows retention.* (local.retention.* no longer apply). */
  remoteLogCopyDisable: boolean
  /** `remote.log.delete.on.disable`: lets remote.storage.enable go from true to false, deleting the
   * remote data (the log start moves to the first local offset). */
  remoteLogDeleteOnDisable: boolean
  // Broker-side schema validation (Confluent Server's names; the check: src/registry/validation/).
  /** `confluent.key.schema.validation`: keys must carry a schema id registered for their subject. */
  confluentKeySchemaValidation: boolean
  /** `confluent.value.schema.validation`: values must carry a schema id registered for their subject. */
  confluentValueSchemaValidation: boolean
  /** `confluent.key.subject.name.strategy`: how a key's subject is named (Confluent's class name). */
  confluentKeySubjectNameStrategy: string
  /** `confluent.value.subject.name.strategy`: how a value's subject is named. */
  confluentValueSubjectNameStrategy: string
  /** `streamline.schema.validation.decode`: beyond Confluent, validated payloads must also decode
   * with their schema. */
  streamlineSchemaValidationDecode: boolean
}

export type TopicConfigType = 'int' | 'long' | 'double' | 'string' | 'list' | 'boolean'

export interface TopicConfigDefinition {
  /** Kafka's dotted name. */
  name: string
  /** The TopicConfig field it maps to. */
  field: keyof TopicConfig
  type: TopicConfigType
  /** Kafka's default, as Kafka prints it. */
  defaultValue: string
  doc: string
  /** Inclusive numeric range (numbers), the allowed values (string, list) or a pattern (string). */
  valid: { min: number; max: number } | { oneOf: readonly string[] } | { pattern: RegExp; what: string }
  // `what`: the refusal's text, `%s` standing for the value.
}

const int32Max = 2 ** 31 - 1
/** Kafka's MetadataVersion strings (MetadataVersionValidator): 0.8.0 to 3.9, with an -IVn suffix or a
 * further segment (2.8.1 reads as 2.8). */
const kafkaVersionPattern =
  /^(?:0\.(?:8\.[0-2]|9\.0|10\.[0-2]|11\.0)|1\.[01]|2\.[0-8]|3\.[0-9])(?:-IV[0-4]|(?:\.\d+)*)$/
const longMaxText = '9223372036854775807'
/** Confluent's subject name strategies, by class name or short name. */
const subjectNameStrategyPattern =
  /^(?:io\.confluent\.kafka\.serializers\.subject\.)?(?:TopicNameStrategy|RecordNameStrategy|TopicRecordNameStrategy)$/
const topicNameStrategy = 'io.confluent.kafka.serializers.subject.TopicNameStrategy'

function subjectNameStrategy(name: string, field: keyof TopicConfig, side: string): TopicConfigDefinition {
  return {
    name,
    field,
    type: 'string',
    defaultValue: topicNameStrategy,
    valid: {
      pattern: subjectNameStrategyPattern,
      what: '%s is not TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy',
    },
    doc: `Schema validation: how the subject of a record ${side} is named (Confluent's strategies).`,
  }
}

function numeric(
  name: string,
  field: keyof TopicConfig,
  type: 'int' | 'long' | 'double',
  defaultValue: string,
  min: number,
  doc: string,
  max = type === 'int' ? int32Max : longMax,
): TopicConfigDefinition {
  return { name, field, type, defaultValue, doc, valid: { min, max } }
}

function boolean(
  name: string,
  field: keyof TopicConfig,
  defaultValue: 'true' | 'false',
  doc: string,
): TopicConfigDefinition {
  return { name, field, type: 'boolean', defaultValue, doc, valid: { oneOf: ['true', 'false'] } }
}

/** Every topic config storage understands, sorted by name. */
export const topicConfigDefinitions: readonly TopicConfigDefinition[] = [
  {
    name: 'cleanup.policy',
    field: 'cleanupPolicy',
    type: 'list',
    defaultValue: 'delete',
    valid: { oneOf: ['delete', 'compact'] },
    doc: 'delete: drop old segments by retention.ms / retention.bytes; compact: keep the newest record per key.',
  },
  {
    name: 'compression.type',
    field: 'compressionType',
    type: 'string',
    defaultValue: 'producer',
    valid: { oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] },
    doc: 'Final compression of the topic; producer keeps the codec the producer chose.',
  },
  boolean(
    'confluent.key.schema.validation',
    'confluentKeySchemaValidation',
    'false',
    'Refuse records whose key lacks a schema id registered under its subject (INVALID_RECORD).',
  ),
  subjectNameStrategy('confluent.key.subject.name.strategy', 'confluentKeySubjectNameStrategy', 'key'),
  boolean(
    'confluent.value.schema.validation',
    'confluentValueSchemaValidation',
    'false',
    'Refuse records whose value lacks a schema id registered under its subject (INVALID_RECORD).',
  ),
  subjectNameStrategy('confluent.value.subject.name.strategy', 'confluentValueSubjectNameStrategy', 'value'),
  numeric('delete.retention.ms', 'deleteRetentionMs', 'long', '86400000', 0, 'How long tombstones are kept.'),
  numeric('file.delete.delay.ms', 'fileDeleteDelayMs', 'long', '60000', 0, 'Delay before a file is removed.'),
  numeric('flush.messages', 'flushMessages', 'long', longMaxText, 1, 'Messages between forced fsyncs.'),
  numeric('flush.ms', 'flushMs', 'long', longMaxText, 0, 'Maximum time data stays unsynced.'),
  numeric(
    'index.interval.bytes',
    'indexIntervalBytes',
    'int',
    '4096',
    0,
    'Bytes between offset index entries.',
  ),
  numeric(
    'max.compaction.lag.ms',
    'maxCompactionLagMs',
    'long',
    longMaxText,
    1,
    'Longest a record stays uncompacted.',
  ),
  numeric(
    'local.retention.bytes',
    'localRetentionBytes',
    'long',
    '-2',
    -2,
    'Tiered storage: partition bytes kept on local disk (-2: retention.bytes).',
  ),
  numeric(
    'local.retention.ms',
    'localRetentionMs',
    'long',
    '-2',
    -2,
    'Tiered storage: how long segments stay on local disk (-2: retention.ms).',
  ),
  boolean(
    'message.downconversion.enable',
    'messageDownconversionEnable',
    'true',
    'Whether old consumers (Fetch v0-3) get data converted to message format 0/1.',
  ),
  numeric('max.message.bytes', 'maxMessageBytes', 'int', '1048588', 0, 'Largest record batch size allowed.'),
  numeric(
    'message.timestamp.after.max.ms',
    'messageTimestampAfterMaxMs',
    'long',
    longMaxText,
    0,
    'How far in the future a CreateTime record timestamp may be.',
  ),
  numeric(
    'message.timestamp.before.max.ms',
    'messageTimestampBeforeMaxMs',
    'long',
    longMaxText,
    0,
    'How far in the past a CreateTime record timestamp may be.',
  ),
  numeric(
    'message.timestamp.difference.max.ms',
    'messageTimestampDifferenceMaxMs',
    'long',
    longMaxText,
    0,
    'Deprecated: largest difference between a CreateTime timestamp and the broker time.',
  ),
  {
    name: 'message.format.version',
    field: 'messageFormatVersion',
    type: 'string',
    defaultValue: '3.0-IV1',
    valid: { pattern: kafkaVersionPattern, what: 'Version `%s` is not a valid version' },
    doc: 'Deprecated (Kafka 3.0): ignored, as by Kafka 3.x brokers with inter.broker.protocol.version 3.0 or later.',
  },
  {
    name: 'message.timestamp.type',
    field: 'messageTimestampType',
    type: 'string',
    defaultValue: 'CreateTime',
    valid: { oneOf: ['CreateTime', 'LogAppendTime'] },
    doc: 'Whether record timestamps are the producer time or the broker append time.',
  },
  numeric(
    'min.cleanable.dirty.ratio',
    'minCleanableDirtyRatio',
    'double',
    '0.5',
    0,
    'Dirty ratio to clean.',
    1,
  ),
  numeric(
    'min.compaction.lag.ms',
    'minCompactionLagMs',
    'long',
    '0',
    0,
    'Shortest a record stays uncompacted.',
  ),
  numeric(
    'min.insync.replicas',
    'minInsyncReplicas',
    'int',
    '1',
    1,
    'Replicas an acks=all write needs in sync.',
  ),
  boolean('preallocate', 'preallocate', 'false', 'Accepted; segment files are not preallocated.'),
  boolean(
    'remote.log.copy.disable',
    'remoteLogCopyDisable',
    'false',
    'Tiered storage: stop copying to the remote store; remote data stays readable, local data follows retention.*.',
  ),
  boolean(
    'remote.log.delete.on.disable',
    'remoteLogDeleteOnDisable',
    'false',
    "Tiered storage: allow remote.storage.enable=false, deleting the topic's remote data.",
  ),
  boolean(
    'remote.storage.enable',
    'remoteStorageEnable',
    'false',
    'Tiered storage: copy closed segments to the remote store (broker remote.log.storage.system.enable).',
  ),
  numeric('retention.bytes', 'retentionBytes', 'long', '-1', -1, 'Partition size kept; -1: unlimited.'),
  numeric('retention.ms', 'retentionMs', 'long', '604800000', -1, 'How long data is kept; -1: forever.'),
  numeric('segment.bytes', 'segmentBytes', 'int', '1073741824', 14, 'Segment file size before a roll.'),
  numeric(
    'segment.index.bytes',
    'segmentIndexBytes',
    'int',
    '10485760',
    4,
    'Offset index size before a roll.',
  ),
  numeric(
    'segment.jitter.ms',
    'segmentJitterMs',
    'long',
    '0',
    0,
    'Accepted; segments roll at segment.ms exactly.',
  ),
  numeric('segment.ms', 'segmentMs', 'long', '604800000', 1, 'Segment age before a roll.'),
  boolean(
    'streamline.schema.validation.decode',
    'streamlineSchemaValidationDecode',
    'false',
    'With confluent.key/value.schema.validation on, validated payloads must also decode with their schema.',
  ),
  boolean(
    'unclean.leader.election.enable',
    'uncleanLeaderElectionEnable',
    'false',
    'Accepted; a single broker has no other replica to elect.',
  ),
]

const definitionsByName = new Map(topicConfigDefinitions.map((definition) => [definition.name, definition]))

/** Config overrides as Kafka's names and string values (CreateTopics, AlterConfigs, the config file). */
export type TopicConfigOverrides = Readonly<Record<string, string>>

function invalidConfig(detail: string): KafkaError {
  return new KafkaError(StorageErrorCode.INVALID_CONFIG, detail)
}

function parseNumber(definition: TopicConfigDefinition, text: string): number {
  const trimmed = text.trim()
  const isInteger = definition.type !== 'double'
  const pattern = isInteger ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/
  if (!pattern.test(trimmed)) throw invalidConfig(`${definition.name}: '${text}' is not a ${definition.type}`)
  // Long.MAX_VALUE (and anything above the safe range) means "never" and is clamped to longMax.
  const value =
    isInteger && trimmed.length >= 16 && BigInt(trimmed) > BigInt(longMax) ? longMax : Number(trimmed)
  const valid = definition.valid as { min: number; max: number }
  if (value < valid.min || value > valid.max) {
    throw invalidConfig(`${definition.name}: ${text} is outside [${valid.min}, ${valid.max}]`)
  }
  return value
}

function parseValue(definition: TopicConfigDefinition, text: string): TopicConfig[keyof TopicConfig] {
  if (definition.type === 'int' || definition.type === 'long' || definition.type === 'double') {
    return parseNumber(definition, text)
  }
  if ('pattern' in definition.valid) {
    const value = text.trim()
    if (!definition.valid.pattern.test(value))
      throw invalidConfig(
        `Invalid value ${text} for configuration ${definition.name}: ${definition.valid.what.replace('%s', value)}`,
      )
    return value
  }
  const allowed = (definition.valid as { oneOf: readonly string[] }).oneOf
  if (definition.type === 'boolean') {
    const value = text.trim().toLowerCase()
    if (value !== 'true' && value !== 'false')
      throw invalidConfig(`${definition.name}: '${text}' is not a boolean`)
    return value === 'true'
  }
  if (definition.type === 'string') {
    const value = text.trim()
    if (!allowed.includes(value))
      throw invalidConfig(`${definition.name}: '${text}' is not one of ${allowed}`)
    return value as TopicConfig[keyof TopicConfig]
  }
  const items = [...new Set(text.split(',').map((item) => item.trim().toLowerCase()))].sort()
  if (items.length === 0 || items.some((item) => !allowed.includes(item))) {
    throw invalidConfig(`${definition.name}: '${text}' is not a list of ${allowed}`)
  }
  return items.join(',') as CleanupPolicy
}

/** Kafka's defaults as a TopicConfig. */
export function defaultTopicConfig(): TopicConfig {
  const config: Record<string, unknown> = {}
  for (const definition of topicConfigDefinitions) {
    config[definition.field] = parseValue(definition, definition.defaultValue)
  }
  return config as unknown as TopicConfig
}

/** Checks overrides without applying them: throws INVALID_CONFIG for an unknown name or a bad value. */
export function validateTopicConfigOverrides(overrides: TopicConfigOverrides): void {
  resolveTopicConfig(defaultTopicConfig(), overrides)
}

/** `base` with `overrides` (Kafka names) applied; throws INVALID_CONFIG for unknown names or bad values. */
export function resolveTopicConfig(base: TopicConfig, overrides: TopicConfigOverrides): TopicConfig {
  const config: Record<string, unknown> = { ...base }
  for (const [name, text] of Object.entries(overrides)) {
    const definition = definitionsByName.get(name)
    if (definition === undefined) throw invalidConfig(`unknown topic config '${name}'`)
    if (typeof text !== 'string') throw invalidConfig(`${name}: value must be a string`)
    config[definition.field] = parseValue(definition, text)
  }
  checkRemoteStorageConfig(config as unknown as TopicConfig)
  return config as unknown as TopicConfig
}

/** The definition for a Kafka config name, or undefined. */
export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return definitionsByName.get(name)
}

export function isCompacted(config: TopicConfig): boolean {
  return config.cleanupPolicy !== 'delete'
}

export function isDeleteRetained(config: TopicConfig): boolean {
  return config.cleanupPolicy !== 'compact'
}
