// What the Kafka handlers see of the cluster (BrokerServices.cluster): the live brokers and each
// partition's leader. A type-only import for the broker: no cluster code loads outside cluster mode.

import type { StoredGroupListing } from './group-listing.ts'
import type { ClusterLeasesReport, ClusterMemberReport } from './members-report.ts'
import type { ClusterBroker } from './membership.ts'

export interface PartitionLeader {
  leaderId: number
  leaderEpoch: number
}

export interface ClusterView {
  /** This broker's id (registered in PostgreSQL). */
  readonly brokerId: number
  /** The live brokers, this one included, by id. */
  brokers(): readonly ClusterBroker[]
  /** The partition's leader with a valid lease, or null while it has none (LEADER_NOT_AVAILABLE). */
  leaderOf(topic: string, partition: number): PartitionLeader | null
  /** The broker coordinating the group (holding its coordinator lease), or null while none does. */
  groupCoordinatorOf(groupId: string): ClusterBroker | null
  /** The broker coordinating the transactional id (holding its coordinator lease), or null. */
  transactionCoordinatorOf(transactionalId: string): ClusterBroker | null
  /** Every registered broker with its liveness and lease counts (read from PostgreSQL: the HTTP API). */
  members(): Promise<ClusterMemberReport[]>
  /** Who holds each partition and group coordinator lease (read from PostgreSQL: the HTTP API). */
  leases(): Promise<ClusterLeasesReport>
  /** Every group of the cluster with stored state (read from PostgreSQL: the HTTP API's group list). */
  groupListings(): Promise<StoredGroupListing[]>
}
