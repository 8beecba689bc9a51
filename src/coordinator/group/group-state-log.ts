// Where the group coordinator keeps its state. A single broker writes it to `__consumer_offsets`
// (offsets-topic-log.ts) and replays that topic on start. In cluster mode (src/cluster/group-store.ts)
// it lives in PostgreSQL instead, and each group is coordinated by the broker holding its coordinator
// lease: `refuse` then answers NOT_COORDINATOR for groups coordinated elsewhere (and
// COORDINATOR_LOAD_IN_PROGRESS while a group's state is read back after a failover), and the store
// replays a group's state into the coordinator, or drops it when the lease moves away.

import type { TransactionalWrite } from '../internal-topic-log.ts'
import type { CommittedOffset } from './offset-store.ts'
import type { OffsetsTopicLoad } from './offsets-topic-log.ts'
import type { OffsetsTopicRecord } from './offsets-topic-records.ts'

/** What a store may do to the coordinator's in-memory state. */
export interface GroupStateHost {
  replay(record: OffsetsTopicRecord): void
  restoreOffset(groupId: string, topic: string, partition: number, committed: CommittedOffset): void
  /** Drops every group (members, offsets) whose id matches: its coordinator moved elsewhere. */
  forgetGroups(matches: (groupId: string) => boolean): void
  /** Offsets committed inside transactions, pending their outcome (TxnOffsetCommit). */
  readonly transactionalOffsets: {
    add(producerId: bigint, records: OffsetsTopicRecord[]): void
    applyOutcome(producerId: bigint, inScope: (groupId: string) => boolean, commit: boolean): void
  }
}

export interface GroupStateLog {
  /** Writes records of one group (Kafka's `__consumer_offsets` key/value schemas) durably. */
  append(
    groupId: string,
    records: { key: Buffer; value: Buffer | null }[],
    timestampMs: number,
    transactional?: TransactionalWrite,
  ): Promise<void>
  /** Replays what is stored at start. */
  load(replay: (record: OffsetsTopicRecord) => void): Promise<OffsetsTopicLoad>
  /** Cluster mode: the error for a group this broker does not coordinate (now), else NONE. */
  refuse?(groupId: string): number
  /** Cluster mode: gives the store the coordinator it loads groups into. */
  attach?(host: GroupStateHost): void
}
