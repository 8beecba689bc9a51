// AlterPartitionReassignments (key 45), v0: move partitions to other replicas, or cancel a move.
// On one broker the only valid replica set is this broker alone, which every partition already
// has: reassigning to it is a successful no-op, as in Kafka when the target equals the current
// replicas. The rest is Kafka's ReplicationControlManager.alterPartitionReassignment, per partition:
// an unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION; a cancel (replicas null)
// NO_REASSIGNMENT_IN_PROGRESS (none ever is); an empty list, another broker id or a repeated one
// INVALID_REPLICA_ASSIGNMENT, with Kafka's messages (ids checked in ascending order, so the message
// names the lowest offender). v0 is flexible.
// ACLs: ALTER on the cluster (ControllerApis), else CLUSTER_AUTHORIZATION_FAILED at the top and for
// every partition named (AlterPartitionReassignmentsRequest.getErrorResponse).
// Known gaps: none on one broker (the refusal message is Kafka's error message, not its
// "Request ... is not authorized." text naming the request).

import type { ReassignablePartition } from '../../protocol/generated/alter-partition-reassignments-request.ts'
import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'
import { failure, type Outcome, success } from './outcome.ts'

export const alterPartitionReassignments = defineHandler({
  apiKey: ApiKey.AlterPartitionReassignments,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const refused = !allowsOnCluster(context, AclOperation.ALTER)
    const refusal = failure(
      ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
      errorInfo.get(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)?.message ?? null,
    )
    const { logs, identity } = context.services
    const responses = request.topics.map(({ name, partitions }) => ({
      name,
      partitions: partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        ...(refused ? refusal : reassign(logs, identity.nodeId, name, partition)),
      })),
    }))
    const top = refused ? refusal : success
    return { throttleTimeMs: 0, ...top, responses }
  },
})

function reassign(logs: LogManager, nodeId: number, topic: string, target: ReassignablePartition): Outcome {
  if (logs.getTopic(topic) === undefined) {
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topic}.`)
  }
  if (logs.partition(topic, target.partitionIndex) === undefined) {
    return failure(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      `Unable to find partition ${topic}:${target.partitionIndex}.`,
    )
  }
  if (target.replicas === null) {
    return failure(
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      errorInfo.get(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS)?.message ?? null,
    )
  }
  return validateReplicas(target.replicas, nodeId)
}

/** Kafka's validateManualPartitionAssignment, with this broker the only one registered. */
function validateReplicas(replicas: readonly number[], nodeId: number): Outcome {
  if (replicas.length === 0) {
    return invalid('The manual partition assignment includes an empty replica list.')
  }
  let previous: number | undefined
  for (const brokerId of [...replicas].sort((a, b) => a - b)) {
    if (brokerId !== nodeId) {
      return invalid(
        `The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`,
      )
    }
    if (brokerId === previous) {
      return invalid(`The manual partition assignment includes the broker ${brokerId} more than once.`)
    }
    previous = brokerId
  }
  // [nodeId]: the partition's current replica set, so nothing changes.
  return success
}

function invalid(message: string): Outcome {
  return failure(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message)
}
