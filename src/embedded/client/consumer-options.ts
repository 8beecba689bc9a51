// The options of `streamline.consumer()` (docs/embedded.md lists them with their defaults).

import type { AssignorName } from './assignors.ts'
import type { IsolationLevelName } from './offsets.ts'
import type { Deserializer, TopicPartition } from './types.ts'

export interface RebalanceListener {
  /** Before partitions go to another member; what was consumed of them is committed after it returns
   * (auto-commit). */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>
  /** After partitions were added, before their records are fetched. */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>
  /** Partitions the member lost without giving them up (fenced or removed from the group): nothing
   * is committed, another member may already read them. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>
}

export interface ConsumerOptions<K = Buffer | null, V = Buffer | null> {
  /** Joins this consumer group (the same coordinator network members use); absent: no group. */
  groupId?: string
  /** Where a partition without a committed offset starts: earliest (true) or latest (default). */
  fromBeginning?: boolean
  isolationLevel?: IsolationLevelName
  /** Commit what was handed out every `autoCommitIntervalMs`, on rebalance and on close (default true with a group). */
  autoCommit?: boolean
  autoCommitIntervalMs?: number
  /** The fetch loop pauses while this many bytes of records wait to be read (default 8 MiB). */
  maxBufferedBytes?: number
  /** A fetch's long-poll bound (default 200 ms; close waits at most this long for it). */
  maxWaitMs?: number
  /** A fetch's response size bound (default 1 MiB; one batch larger than it still comes whole). */
  maxBytes?: number
  /** Static membership (KIP-345, Kafka's `group.instance.id`): close() does not leave the group, and a
   * consumer restarted with the same id within `sessionTimeoutMs` gets its partitions back without a
   * rebalance. Default: none (a dynamic member). */
  groupInstanceId?: string
  /** `classic` (default): JoinGroup/SyncGroup with client-side assignors; `consumer`: KIP-848's
   * ConsumerGroupHeartbeat, the coordinator assigns (Kafka's `group.protocol`). */
  groupProtocol?: 'classic' | 'consumer'
  /** Classic protocol: the assignors offered, in order (kafkajs's and KafkaJS-compatible APIs' name;
   * Kafka's `partition.assignment.strategy`). Default `RoundRobinAssigner`, `roundrobin`, `range`;
   * `['cooperative-sticky']` rebalances cooperatively (KIP-429): a member keeps reading the
   * partitions it keeps and gives up only those that move. */
  partitionAssigners?: AssignorName[]
  /** KIP-848: the coordinator's assignor (`uniform` or `range`; Kafka's `group.remote.assignor`);
   * default the coordinator's first. */
  groupRemoteAssignor?: string
  /** Told about every change of this consumer's partitions (Kafka's ConsumerRebalanceListener).
   * With cooperative or KIP-848 rebalancing the lists hold only the partitions that changed. */
  rebalanceListener?: RebalanceListener
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  keyDeserializer?: Deserializer<K>
  valueDeserializer?: Deserializer<V>
}
