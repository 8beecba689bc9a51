// OffsetForLeaderEpoch (key 23), v0-4: for each partition, the end offset of the requested leader
// epoch (the start of the next higher epoch, or the log end offset for the latest), from the
// partition's leader-epoch cache (Kafka's LeaderEpochFileCache.endOffsetFor).
// v1: leaderEpoch in the answer (the largest epoch <= the requested one) · v2: currentLeaderEpoch
// fencing (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH), throttleTimeMs · v3: replicaId (followers;
// accepted, answered the same) · v4: flexible.
// Unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION with epoch and offset -1. An epoch the
// cache does not know (or -1): NONE with epoch and offset -1, as Kafka.
// ACLs, as Kafka (KIP-320): CLUSTER_ACTION on the cluster, else DESCRIBE on each topic
// (TOPIC_AUTHORIZATION_FAILED for its partitions). Known gaps: none on one broker.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { EpochEndOffset } from '../../protocol/generated/offset-for-leader-epoch-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows, allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { checkCurrentLeaderEpoch } from './leader-epoch.ts'

export const offsetForLeaderEpoch = defineHandler({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const { logs } = context.services
    const clusterAction = allowsOnCluster(context, AclOperation.CLUSTER_ACTION)
    const topics = request.topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map(({ partition, currentLeaderEpoch, leaderEpoch }): EpochEndOffset => {
        if (!clusterAction && !allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) {
          return epochError(partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
        }
        const log = logs.partition(topic, partition)
        if (log === undefined) return epochError(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        const fenced = checkCurrentLeaderEpoch(currentLeaderEpoch, log)
        if (fenced !== ErrorCode.NONE) return epochError(partition, fenced)
        const end = log.endOffsetForEpoch(leaderEpoch)
        return {
          errorCode: ErrorCode.NONE,
          partition,
          leaderEpoch: end.leaderEpoch,
          endOffset: BigInt(end.endOffset),
        }
      }),
    }))
    return { throttleTimeMs: 0, topics }
  },
})

function epochError(partition: number, errorCode: number): EpochEndOffset {
  return { errorCode, partition, leaderEpoch: -1, endOffset: -1n }
}
