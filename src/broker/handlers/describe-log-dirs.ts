// DescribeLogDirs (key 35), v0-4: every log dir (the data dir first, then the other `log.dirs`) and
// the size of each partition in it (offset lag 0: the log is never behind itself). A partition being
// moved (AlterReplicaLogDirs) is also listed in its destination as a future replica (isFutureKey),
// with size 0 and an offset lag of its log end offset until the copy is swapped in (the copy is made
// in one step). Topics null means all topics; unknown topics and partitions are left out, as in Kafka.
// v1: same as v0 · v2: flexible · v3: top-level errorCode · v4: totalBytes and usableBytes of the
// volume (statfs; -1 when it fails). ACLs: DESCRIBE on the cluster, else no log dirs (and from v3
// CLUSTER_AUTHORIZATION_FAILED), as Kafka.
// Known gaps: an in-memory log has no directory and answers with no log dirs.

import { statfs } from 'node:fs/promises'
import type { DescribableLogDirTopic } from '../../protocol/generated/describe-log-dirs-request.ts'
import type { DescribeLogDirsTopic } from '../../protocol/generated/describe-log-dirs-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'

export const describeLogDirs = defineHandler({
  apiKey: ApiKey.DescribeLogDirs,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] }
    }
    const { dataDir, logs } = context.services
    if (dataDir === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [] }
    const results = []
    for (const logDir of logs.logDirs?.() ?? [dataDir]) {
      const volume = await volumeBytes(logDir)
      results.push({
        errorCode: ErrorCode.NONE,
        logDir,
        topics: describeTopics(logs, request.topics, logDir),
        totalBytes: volume.totalBytes,
        usableBytes: volume.usableBytes,
      })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results }
  },
})

function describeTopics(
  logs: LogManager,
  requested: DescribableLogDirTopic[] | null,
  logDir: string,
): DescribeLogDirsTopic[] {
  const wanted =
    requested ??
    logs.listTopics().map((topic) => ({
      topic: topic.name,
      partitions: Array.from({ length: topic.partitionCount }, (_, index) => index),
    }))
  const topics: DescribeLogDirsTopic[] = []
  for (const { topic, partitions } of wanted) {
    const described = []
    for (const partitionIndex of partitions) {
      const log = logs.partition(topic, partitionIndex)
      if (log === undefined) continue
      if ((logs.logDirOf?.(topic, partitionIndex) ?? logDir) === logDir) {
        described.push({
          partitionIndex,
          partitionSize: BigInt(log.sizeBytes),
          offsetLag: 0n,
          isFutureKey: false,
        })
      }
      if (logs.futureLogDirOf?.(topic, partitionIndex) === logDir) {
        described.push({
          partitionIndex,
          partitionSize: 0n,
          offsetLag: BigInt(log.logEndOffset),
          isFutureKey: true,
        })
      }
    }
    if (described.length > 0) topics.push({ name: topic, partitions: described })
  }
  return topics
}

async function volumeBytes(directory: string): Promise<{ totalBytes: bigint; usableBytes: bigint }> {
  try {
    const stats = await statfs(directory, { bigint: true })
    return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize }
  } catch {
    // The sizes are informational (KIP-827); a volume that cannot be queried reports -1.
    return { totalBytes: -1n, usableBytes: -1n }
  }
}
