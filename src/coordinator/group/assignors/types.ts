// What a server-side assignor (KIP-848 ConsumerGroupPartitionAssignor) sees and returns.

import type { Assignment } from '../consumer-assignment.ts'

export interface AssignmentMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  /** Ids of the existing topics the member subscribes to (names and regex resolved). */
  subscribedTopicIds: ReadonlySet<string>
  /** The member's current target assignment: what stickiness keeps. */
  currentAssignment: Assignment
}

export interface AssignmentSpec {
  /** Every member, sorted by member id. */
  members: readonly AssignmentMember[]
  /** Subscribed topics by id. */
  topics: ReadonlyMap<string, { topicName: string; numPartitions: number }>
}

export interface PartitionAssignor {
  /** The name members ask for in `serverAssignor` (`group.consumer.assignors`). */
  readonly name: string
  /** The target assignment of every member of the spec (members without partitions map to empty). */
  assign(spec: AssignmentSpec): Map<string, Assignment>
}
