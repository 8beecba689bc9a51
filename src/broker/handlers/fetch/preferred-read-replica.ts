// KIP-392 rack-local fetch in cluster mode. Every broker of a cluster can serve any partition's
// committed data (it is in object storage), so every live broker is a read replica. A consumer that
// sends its `client.rack` (Fetch v11+) to a partition's leader in another rack is told, as Kafka's
// RackAwareReplicaSelector does, to fetch from a broker of its own rack (`preferred_read_replica`,
// no records); that broker then serves it. Only the leader chooses (as in Kafka: a follower serves
// whoever asks), and a rack with no live broker leaves the consumer on the leader.

import type { ClusterView } from '../../../cluster/view.ts'
import type { LogManager } from '../../../storage/types.ts'
import type { BrokerIdentity } from '../../handler.ts'
import type { SessionPartition } from './fetch-session-cache.ts'
import type { PartitionRead } from './read-partitions.ts'

/** Fetch v11 added `rack_id` and `preferred_read_replica`. */
const rackAwareFetchVersion = 11

export interface ReadReplicaChoice {
  apiVersion: number
  /** The request's `rack_id` (`client.rack`); empty when the consumer has none. */
  clientRack: string
  /** The request's replica id: followers (>= 0) are never redirected, only consumers. */
  replicaId: number
  identity: BrokerIdentity
  cluster: ClusterView | undefined
}

/**
 * The partitions to send elsewhere, each with the broker id to fetch from. Empty outside cluster mode,
 * for a consumer without a rack, and on a broker of the consumer's rack.
 */
export function preferredReadReplicas(
  partitions: readonly SessionPartition[],
  choice: ReadReplicaChoice,
): Map<SessionPartition, number> {
  const redirected = new Map<SessionPartition, number>()
  const { cluster, clientRack, identity } = choice
  if (cluster === undefined || choice.apiVersion < rackAwareFetchVersion || choice.replicaId >= 0)
    return redirected
  if (clientRack === '' || identity.rack === clientRack) return redirected
  const sameRack = cluster.brokers().filter((broker) => broker.rack === clientRack)
  if (sameRack.length === 0) return redirected
  for (const target of partitions) {
    if (cluster.leaderOf(target.topic, target.partition)?.leaderId !== cluster.brokerId) continue
    // Spread a rack's partitions over its brokers, the same broker for a partition every time.
    const pick = sameRack[partitionHash(target.topic, target.partition) % sameRack.length]
    redirected.set(target, pick.brokerId)
  }
  return redirected
}

/** The answer for a redirected partition: its offsets, no records, and where to fetch from. */
export function redirectedRead(target: SessionPartition, replicaId: number, logs: LogManager): PartitionRead {
  const log = logs.partition(target.topic, target.partition)
  return {
    target,
    errorCode: 0,
    highWatermark: log?.highWatermark ?? -1,
    lastStableOffset: log?.lastStableOffset ?? -1,
    logStartOffset: log?.logStartOffset ?? -1,
    records: Buffer.alloc(0),
    slice: null,
    abortedTransactions: [],
    preferredReadReplica: replicaId,
  }
}

function partitionHash(topic: string, partition: number): number {
  let hash = partition
  for (let index = 0; index < topic.length; index++) hash = (hash * 31 + topic.charCodeAt(index)) >>> 0
  return hash
}
