// The settings of KIP-848 consumer groups, with Kafka's names and defaults (GroupCoordinatorConfig).

import type { ConsumerGroupMigrationPolicy } from './group-migration.ts'

export interface ConsumerGroupConfig {
  /** `group.consumer.session.timeout.ms` (45 s): a member that does not heartbeat this long is removed. */
  sessionTimeoutMs: number
  /** `group.consumer.heartbeat.interval.ms` (5 s): told to members in every heartbeat response. */
  heartbeatIntervalMs: number
  /** `group.consumer.max.size` (unbounded in Kafka; bounded here, it is client input). */
  maxSize: number
  /** `group.consumer.assignors` (uniform, range): the server-side assignors; the first is the default. */
  assignors: readonly string[]
  /** How often the topics matched by subscription regexes are re-read even when the number of
   * topics did not change (Kafka refreshes them from its metadata image). */
  regexRefreshIntervalMs: number
  /** `group.consumer.migration.policy` (bidirectional, Kafka 4.0's default): whether a classic group
   * is upgraded when a KIP-848 member joins it, and a consumer group downgraded when only classic
   * members remain (group-migration.ts). */
  migrationPolicy: ConsumerGroupMigrationPolicy
}

export const defaultConsumerGroupConfig: ConsumerGroupConfig = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxSize: 1_000,
  assignors: ['uniform', 'range'],
  regexRefreshIntervalMs: 10_000,
  migrationPolicy: 'bidirectional',
}
