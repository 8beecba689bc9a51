// Where each partition of a topic is led in a cluster (Metadata), and one load connection per broker
// that leads something: the cluster workload sends every partition's Produce to its leader, as a
// client does, without a client library's own batching in the way.

import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import {
  createDefaultMetadataRequest,
  createDefaultMetadataRequestTopic,
} from '../../../src/protocol/generated/metadata-request.ts'
import { KafkaConnection } from './kafka-connection.ts'

const metadataVersion = 12

export interface PartitionLeaders {
  /** partition → the leader's `host:port` (partitions without a leader are missing). */
  leaders: Map<number, string>
  /** broker id → `host:port`, for every live broker Metadata lists. */
  brokers: Map<number, string>
  /** partition → leader id (-1 when it has none). */
  leaderIds: Map<number, number>
}

/** One Metadata request to `bootstrap` for `topic`. */
export async function partitionLeaders(bootstrap: string, topic: string): Promise<PartitionLeaders> {
  const [host, port] = splitAddress(bootstrap)
  const connection = await KafkaConnection.open(host, port)
  try {
    const response = await connection.request(ApiKey.Metadata, metadataVersion, {
      ...createDefaultMetadataRequest(),
      topics: [{ ...createDefaultMetadataRequestTopic(), name: topic }],
      allowAutoTopicCreation: false,
    })
    const brokers = new Map(
      response.brokers.map((broker) => [broker.nodeId, `${broker.host}:${broker.port}`]),
    )
    const leaders = new Map<number, string>()
    const leaderIds = new Map<number, number>()
    for (const partition of response.topics[0]?.partitions ?? []) {
      const address = brokers.get(partition.leaderId)
      leaderIds.set(
        partition.partitionIndex,
        partition.errorCode === ErrorCode.NONE ? partition.leaderId : -1,
      )
      if (partition.errorCode === ErrorCode.NONE && address !== undefined)
        leaders.set(partition.partitionIndex, address)
    }
    return { leaders, brokers, leaderIds }
  } finally {
    connection.close()
  }
}

/**
 * Polls Metadata until every one of `partitionCount` partitions has a leader, `distinct` brokers lead
 * and none leads more than its fair share (partitions / brokers, rounded up): until then brokers are
 * still handing partitions over, and produce meets NOT_LEADER_OR_FOLLOWER.
 */
export async function waitForLeaders(
  bootstrap: string,
  topic: string,
  partitionCount: number,
  distinct: number,
  timeoutMs: number,
): Promise<PartitionLeaders> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const found = await partitionLeaders(bootstrap, topic)
    if (found.leaders.size === partitionCount && new Set(found.leaders.values()).size >= distinct)
      return found
    if (performance.now() > deadline)
      throw new Error(
        `${topic}: ${found.leaders.size}/${partitionCount} partitions led by ` +
          `${new Set(found.leaders.values()).size} brokers (wanted ${distinct}) after ${timeoutMs} ms`,
      )
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':')
  return [address.slice(0, colon), Number(address.slice(colon + 1))]
}

/** The partitions each leader leads: `host:port` → partitions. */
export function partitionsByLeader(leaders: ReadonlyMap<number, string>): Map<string, number[]> {
  const byLeader = new Map<string, number[]>()
  for (const [partition, address] of leaders)
    byLeader.set(address, [...(byLeader.get(address) ?? []), partition])
  return byLeader
}
