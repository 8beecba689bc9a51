// State topics: the topics a component keeps its state in (`__consumer_offsets`,
// `__transaction_state`, the schema registry's `_schemas`, Connect's `connect-*`), each with the
// partition count and configs it must be created with, whoever creates it first: a Metadata or
// Produce request that auto-creates it, CreateTopics (partitions -1 and configs left out), or the
// owning component. The one table of these settings; a part that owns a state topic adds its spec.
//
// Every state topic is compacted (`cleanup.policy=compact`): under `delete`, retention would remove
// committed offsets, transactions, schemas and connector configs. This broker keeps it so: the spec's
// configs are a state topic's defaults (CreateTopics and AlterConfigs fill in what a request leaves
// out), a request that sets another cleanup policy gets INVALID_CONFIG, and a data dir where an
// earlier version created one with ordinary configs is repaired at start (state-topic-repair.ts).

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'

export const offsetsTopicName = '__consumer_offsets'
export const transactionTopicName = '__transaction_state'

/** Kafka's Topic.isInternal: clients may not produce to these (Produce answers INVALID_TOPIC_EXCEPTION,
 * except for the client id `__admin_client`, as in Kafka). */
export const kafkaInternalTopicNames: ReadonlySet<string> = new Set([
  offsetsTopicName,
  transactionTopicName,
  '__share_group_state',
])

/** Kafka's AdminUtils.ADMIN_CLIENT_ID: the one client id Kafka lets produce to internal topics. */
export const adminClientId = '__admin_client'

export function isKafkaInternalTopic(name: string): boolean {
  return kafkaInternalTopicNames.has(name)
}

export interface StateTopicSpec {
  name: string
  partitionCount: number
  /** The configs it is created with, in Kafka's names (cleanup.policy is always `compact`). */
  configs: Readonly<Record<string, string>>
}

/** The broker settings behind the internal topics' specs (Kafka's names and defaults). */
export interface InternalTopicSettings {
  /** `offsets.topic.num.partitions` (50). */
  offsetsTopicPartitions: number
  /** `offsets.topic.segment.bytes` (100 MiB). */
  offsetsTopicSegmentBytes: number
  /** `transaction.state.log.num.partitions` (50). */
  transactionTopicPartitions: number
  /** `transaction.state.log.segment.bytes` (100 MiB). */
  transactionTopicSegmentBytes: number
}

export const defaultInternalTopicSettings: InternalTopicSettings = {
  offsetsTopicPartitions: 50,
  offsetsTopicSegmentBytes: 100 * 1024 * 1024,
  transactionTopicPartitions: 50,
  transactionTopicSegmentBytes: 100 * 1024 * 1024,
}

/** `__consumer_offsets`, with the configs of Kafka's GroupCoordinatorService.groupMetadataTopicConfigs. */
export function offsetsTopicSpec(partitionCount: number, segmentBytes: number): StateTopicSpec {
  return {
    name: offsetsTopicName,
    partitionCount,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': String(segmentBytes),
    },
  }
}

/** `__transaction_state`, with the configs of Kafka's TransactionStateManager.transactionTopicConfigs
 * (min.insync.replicas is left at 1: one broker is one replica, as transaction.state.log.min.isr=1). */
export function transactionTopicSpec(partitionCount: number, segmentBytes: number): StateTopicSpec {
  return {
    name: transactionTopicName,
    partitionCount,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'segment.bytes': String(segmentBytes),
      'unclean.leader.election.enable': 'false',
    },
  }
}

const compacted = { 'cleanup.policy': 'compact' } as const

/** The platform parts' state topics, with the settings their reference implementations create them
 * with: Confluent's schema registry (`_schemas`, one partition: schema ids need total order) and
 * Kafka Connect's distributed worker (`config.storage` one partition, `offset.storage.partitions` 25,
 * `status.storage.partitions` 5), and Streamline's SQL continuous queries. */
export const platformStateTopicSpecs: readonly StateTopicSpec[] = [
  { name: '_schemas', partitionCount: 1, configs: compacted },
  { name: 'connect-configs', partitionCount: 1, configs: compacted },
  { name: 'connect-offsets', partitionCount: 25, configs: compacted },
  { name: 'connect-status', partitionCount: 5, configs: compacted },
  // SQL continuous queries' definitions and checkpoints (src/sql/continuous/query-store.ts): one
  // partition for total order, small segments so compaction keeps it short.
  { name: '__streamline_queries', partitionCount: 1, configs: { ...compacted, 'segment.bytes': '1048576' } },
]

/** The state topics of one broker, by name. */
export class StateTopicRegistry {
  private readonly specs = new Map<string, StateTopicSpec>()

  constructor(specs: readonly StateTopicSpec[]) {
    for (const spec of specs) this.add(spec)
  }

  /** Adds (or replaces) a spec; a platform part registers its topic before it first uses it. */
  add(spec: StateTopicSpec): void {
    this.specs.set(spec.name, spec)
  }

  get(name: string): StateTopicSpec | undefined {
    return this.specs.get(name)
  }

  all(): StateTopicSpec[] {
    return [...this.specs.values()]
  }
}

/** The registry for these settings: the two internal topics and the platform's state topics. */
export function createStateTopicRegistry(
  settings: InternalTopicSettings = defaultInternalTopicSettings,
): StateTopicRegistry {
  return new StateTopicRegistry([
    offsetsTopicSpec(settings.offsetsTopicPartitions, settings.offsetsTopicSegmentBytes),
    transactionTopicSpec(settings.transactionTopicPartitions, settings.transactionTopicSegmentBytes),
    ...platformStateTopicSpecs,
  ])
}

/**
 * A state topic's overrides: the spec's configs under the requested ones (a request that leaves a
 * config out gets the state topic's own value, not the broker default). Throws INVALID_CONFIG when
 * the request sets a cleanup policy other than `compact`.
 */
export function stateTopicOverrides(
  spec: StateTopicSpec,
  requested: TopicConfigOverrides,
): Record<string, string> {
  const overrides = { ...spec.configs, ...requested }
  const policy = overrides['cleanup.policy']
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0)
  if (policy.length !== 1 || policy[0] !== 'compact') {
    throw new KafkaError(
      ErrorCode.INVALID_CONFIG,
      `${spec.name} keeps state and must stay compacted: cleanup.policy=${overrides['cleanup.policy']} is not allowed`,
    )
  }
  return overrides
}

/** The registry of a broker built without one (tests): Kafka's defaults. */
export const defaultStateTopicRegistry: StateTopicRegistry = createStateTopicRegistry()
