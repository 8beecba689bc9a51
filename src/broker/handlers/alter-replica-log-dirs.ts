// AlterReplicaLogDirs (key 34), v0-2: moves partitions between this broker's log dirs (`log.dirs`
// with several directories). Answered once each move is marked on disk (the destination's future
// directory, as Kafka's future replica); the copy and swap follow in the background, and
// DescribeLogDirs shows the partition as a future replica in the destination until then. A crash
// before the swap starts the move again on restart (src/storage/log-dirs.ts).
// v1: same as v0 · v2: flexible. ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for
// every partition, as Kafka.
// Per partition, as Kafka's ReplicaManager: a path that is not a configured log dir:
// LOG_DIR_NOT_FOUND; a partition this broker does not have: REPLICA_NOT_AVAILABLE (Kafka keeps that
// code for this API); a failed mark on disk: KAFKA_STORAGE_ERROR. A partition named twice takes the
// last path. Known gaps: an in-memory log (no directories) answers KAFKA_STORAGE_ERROR.

import { KafkaError } from '../../errors.ts'
import type { AlterReplicaLogDirTopicResult } from '../../protocol/generated/alter-replica-log-dirs-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'

export const alterReplicaLogDirs = defineHandler({
  apiKey: ApiKey.AlterReplicaLogDirs,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    // topic → partition → destination (a partition named twice: the last one, as Kafka's map).
    const wanted = new Map<string, Map<number, string>>()
    for (const dir of request.dirs) {
      for (const topic of dir.topics) {
        const partitions = wanted.get(topic.name) ?? new Map<number, string>()
        for (const partition of topic.partitions) partitions.set(partition, dir.path)
        wanted.set(topic.name, partitions)
      }
    }
    const authorized = allowsOnCluster(context, AclOperation.ALTER)
    const results: AlterReplicaLogDirTopicResult[] = []
    for (const [topicName, partitions] of wanted) {
      const answered = []
      for (const [partitionIndex, path] of partitions) {
        const errorCode = authorized
          ? await moveReplica(context.services.logs, topicName, partitionIndex, path)
          : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
        answered.push({ partitionIndex, errorCode })
      }
      results.push({ topicName, partitions: answered })
    }
    return { throttleTimeMs: 0, results }
  },
})

async function moveReplica(
  logs: LogManager,
  topic: string,
  partition: number,
  path: string,
): Promise<number> {
  if (logs.alterReplicaLogDir === undefined) return ErrorCode.KAFKA_STORAGE_ERROR
  try {
    await logs.alterReplicaLogDir(topic, partition, path)
    return ErrorCode.NONE
  } catch (error) {
    if (error instanceof KafkaError) {
      return error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        ? ErrorCode.REPLICA_NOT_AVAILABLE
        : error.errorCode
    }
    return ErrorCode.KAFKA_STORAGE_ERROR
  }
}
