// ListPartitionReassignments (key 46), v0: the ongoing partition reassignments. On one broker every
// partition has its one replica here and nothing is ever being moved, so the answer lists no
// topics, whatever is asked: as Kafka's ReplicationControlManager.listPartitionReassignments, topics
// and partitions with no reassignment in progress (and unknown ones) are left out, and a null topic
// list ("all") is answered the same way. v0 is flexible.
// ACLs: DESCRIBE on the cluster (ControllerApis), else a top-level CLUSTER_AUTHORIZATION_FAILED.
// Known gaps: none on one broker (the refusal message is Kafka's error message, not its
// "Request ... is not authorized." text naming the request).

import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const listPartitionReassignments = defineHandler({
  apiKey: ApiKey.ListPartitionReassignments,
  versions: { min: 0, max: 0 },
  async handle(context) {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE)) {
      const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      return {
        throttleTimeMs: 0,
        errorCode,
        errorMessage: errorInfo.get(errorCode)?.message ?? null,
        topics: [],
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
  },
})
