// ElectLeaders (key 43), v0-2: on one broker every partition already has its preferred (and only)
// replica as leader, so existing partitions answer ELECTION_NOT_NEEDED and others
// UNKNOWN_TOPIC_OR_PARTITION (Kafka's messages). topicPartitions null means all partitions, and
// then, as in Kafka, partitions needing no election are left out (the answer is empty).
// v1: electionType (0 preferred, 1 unclean; others INVALID_REQUEST), top-level errorCode · v2: flexible.
// ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED at the top (v1+) and for every
// partition named, as Kafka's ElectLeadersRequest.getErrorResponse. Known gaps: none on one broker.

import type { ReplicaElectionResult } from '../../protocol/generated/elect-leaders-response.ts'
import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'
import { failure, type Outcome } from './outcome.ts'

const electionTypes = new Set([0, 1])

export const electLeaders = defineHandler({
  apiKey: ApiKey.ElectLeaders,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    const { logs } = context.services
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      const refusal = failure(code, errorInfo.get(code)?.message ?? null)
      return {
        throttleTimeMs: 0,
        // v0 has no top-level error code.
        errorCode: context.apiVersion >= 1 ? code : ErrorCode.NONE,
        replicaElectionResults: (request.topicPartitions ?? []).map(({ topic, partitions }) => ({
          topic,
          partitionResult: partitions.map((partitionId) => ({ partitionId, ...refusal })),
        })),
      }
    }
    if (request.topicPartitions === null) {
      return {
        throttleTimeMs: 0,
        errorCode: electionTypeError(request.electionType),
        replicaElectionResults: [],
      }
    }
    const typeError = electionTypeError(request.electionType)
    const replicaElectionResults: ReplicaElectionResult[] = request.topicPartitions.map(
      ({ topic, partitions }) => ({
        topic,
        partitionResult: partitions.map((partitionId) => {
          const outcome =
            typeError !== ErrorCode.NONE
              ? failure(typeError, `Unknown election type ${request.electionType}`)
              : electLeader(logs, topic, partitionId)
          return { partitionId, ...outcome }
        }),
      }),
    )
    return { throttleTimeMs: 0, errorCode: typeError, replicaElectionResults }
  },
})

function electionTypeError(electionType: number): number {
  return electionTypes.has(electionType) ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST
}

function electLeader(logs: LogManager, topic: string, partition: number): Outcome {
  if (logs.getTopic(topic) === undefined) {
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topic}`)
  }
  if (logs.partition(topic, partition) === undefined) {
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topic}-${partition}`)
  }
  return failure(ErrorCode.ELECTION_NOT_NEEDED, errorInfo.get(ErrorCode.ELECTION_NOT_NEEDED)?.message ?? null)
}
