// The group coordinator's settings, with Kafka's names and defaults.

import type { ConsumerGroupConfig } from './consumer-group-config.ts'

export interface GroupConfig {
  /** `group.min.session.timeout.ms` (6 s): shorter session timeouts get INVALID_SESSION_TIMEOUT. */
  minSessionTimeoutMs: number
  /** `group.max.session.timeout.ms` (30 min). */
  maxSessionTimeoutMs: number
  /** `group.initial.rebalance.delay.ms` (3 s): the first rebalance of an empty group waits for more
   * members, up to the rebalance timeout, so a starting fleet does not rebalance once per member. */
  initialRebalanceDelayMs: number
  /** `group.max.size` (unbounded in Kafka; bounded here, it is client input): members per group. */
  groupMaxSize: number
  /** Groups the coordinator keeps at once; past this new groups get COORDINATOR_NOT_AVAILABLE. */
  groupsMax: number
  /** `offsets.retention.minutes` (7 days): offsets of a group empty this long are deleted. */
  offsetsRetentionMs: number
  /** `offsets.retention.check.interval.ms` (10 min). */
  offsetsRetentionCheckIntervalMs: number
  /** `offset.metadata.max.bytes` (4096): longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  offsetMetadataMaxBytes: number
  /** How often deadlines (sessions, join and sync phases) are checked. */
  tickIntervalMs: number
}

export const defaultGroupConfig: GroupConfig = {
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  groupMaxSize: 1_000,
  groupsMax: 100_000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  tickIntervalMs: 100,
}

/** The coordinators' settings as a broker takes them (`[groups]` in the config file). */
export interface GroupCoordinatorSettings {
  classic?: Partial<GroupConfig>
  consumer?: Partial<ConsumerGroupConfig>
}
