// DescribeQuorum (key 55), v0-2: the KRaft metadata quorum, as `kafka-metadata-quorum.sh describe`
// and Admin.describeMetadataQuorum ask for it. This broker is its own controller: the quorum is one
// voter, this broker, always the leader, with no observers. There is no replicated metadata log
// (topics are committed to topics/<name>.json), so the leader epoch is 1, the one a fresh
// single-voter KRaft quorum elects itself at, and the high watermark and the voter's log end offset
// are 0 (nothing waits to be replicated: lag 0).
// As KafkaRaftClient.handleDescribeQuorumRequest: a request that is not exactly one topic
// `__cluster_metadata` with one partition 0 gets UNKNOWN_TOPIC_OR_PARTITION for every partition named.
// v1: lastFetchTimestamp/lastCaughtUpTimestamp (the leader reports now for both, as RaftUtil does)
// · v2: error messages, replicaDirectoryId (zero: a static quorum, kraft.version 0), nodes.
// ACLs: DESCRIBE on the cluster (ControllerApis.handleDescribeQuorum), else a top-level
// CLUSTER_AUTHORIZATION_FAILED and no topics. Known gaps: nodes list this voter with no listeners
// (there is no controller listener; the broker's own listener answers controller-bound requests).

import { ZERO_UUID } from '../../protocol/codec-helpers.ts'
import type {
  DescribeQuorumRequest,
  TopicData as RequestTopicData,
} from '../../protocol/generated/describe-quorum-request.ts'
import type {
  DescribeQuorumResponse,
  ReplicaState,
} from '../../protocol/generated/describe-quorum-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** Kafka's metadata log partition (Topic.CLUSTER_METADATA_TOPIC_PARTITION). */
export const clusterMetadataTopic = '__cluster_metadata'
const clusterMetadataPartition = 0
/** The epoch a single voter elects itself at on its first start (epoch 0 → candidate 1 → leader). */
export const quorumLeaderEpoch = 1
/** No metadata log: nothing appended, nothing to commit. */
const metadataLogEndOffset = 0n

export const describeQuorum = defineHandler({
  apiKey: ApiKey.DescribeQuorum,
  versions: { min: 0, max: 2 },
  async handle(context, request): Promise<DescribeQuorumResponse> {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE)) {
      return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: '', topics: [], nodes: [] }
    }
    if (!asksForTheMetadataPartition(request)) {
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: '',
        topics: unknownPartitions(request.topics),
        nodes: [],
      }
    }
    const nodeId = context.services.identity.nodeId
    // Fields a version lacks keep their defaults (the encoder refuses anything else).
    const now = context.apiVersion >= 1 ? BigInt(Date.now()) : -1n
    const leader: ReplicaState = {
      replicaId: nodeId,
      replicaDirectoryId: ZERO_UUID,
      logEndOffset: metadataLogEndOffset,
      lastFetchTimestamp: now,
      lastCaughtUpTimestamp: now,
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: '',
      topics: [
        {
          topicName: clusterMetadataTopic,
          partitions: [
            {
              partitionIndex: clusterMetadataPartition,
              errorCode: ErrorCode.NONE,
              errorMessage: '',
              leaderId: nodeId,
              leaderEpoch: quorumLeaderEpoch,
              highWatermark: metadataLogEndOffset,
              currentVoters: [leader],
              observers: [],
            },
          ],
        },
      ],
      nodes: context.apiVersion >= 2 ? [{ nodeId, listeners: [] }] : [],
    }
  },
})

/** Kafka's RaftUtil.hasValidTopicPartition: exactly one topic, the metadata one, with exactly partition 0. */
function asksForTheMetadataPartition(request: DescribeQuorumRequest): boolean {
  const [topic] = request.topics
  return (
    request.topics.length === 1 &&
    topic !== undefined &&
    topic.topicName === clusterMetadataTopic &&
    topic.partitions.length === 1 &&
    topic.partitions[0]?.partitionIndex === clusterMetadataPartition
  )
}

/** Kafka's DescribeQuorumRequest.getPartitionLevelErrorResponse: every partition named, echoed with the error. */
function unknownPartitions(topics: readonly RequestTopicData[]): DescribeQuorumResponse['topics'] {
  return topics.map(({ topicName, partitions }) => ({
    topicName,
    partitions: partitions.map(({ partitionIndex }) => ({
      partitionIndex,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: '',
      leaderId: 0,
      leaderEpoch: 0,
      highWatermark: 0n,
      currentVoters: [],
      observers: [],
    })),
  }))
}
