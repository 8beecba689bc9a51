// What `topics describe` shows for a topic with tiered storage on (remote.storage.enable=true): per
// partition the first local offset, the last copied offset, and local vs remote bytes. Kafka's
// protocol has no remote sizes (DescribeLogDirs counts local bytes), so they come from Streamline's
// HTTP API (GET /api/v1/topics/{topic}, partitionDetails[].remoteStorage).
import type { CliContext } from './context.ts'

export interface RemoteStorageColumns {
  localLogStartOffset: number
  latestTieredOffset: number
  localSizeBytes: number
  remoteSizeBytes: number
}

/** The extra `topics describe` columns (tiered topics only). */
export const remoteStorageColumns = [
  { header: 'local-start', key: 'localLogStartOffset', alignRight: true },
  { header: 'tiered-end', key: 'latestTieredOffset', alignRight: true },
  { header: 'local-size', key: 'localSizeBytes', alignRight: true },
  { header: 'remote-size', key: 'remoteSizeBytes', alignRight: true },
]

interface PartitionDetail {
  partition: number
  remoteStorage?: RemoteStorageColumns
}

/** Per partition, or null when the HTTP API does not answer (the other columns still print). */
export async function remoteStorageState(
  context: CliContext,
  topic: string,
): Promise<Map<number, RemoteStorageColumns> | null> {
  const answer = await context.http(`/api/v1/topics/${encodeURIComponent(topic)}`).catch(() => null)
  if (answer === null || answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null)
    return null
  const details = (answer.body as { partitionDetails?: PartitionDetail[] }).partitionDetails ?? []
  const result = new Map<number, RemoteStorageColumns>()
  for (const detail of details) {
    const state = detail.remoteStorage
    if (state === undefined) continue
    result.set(detail.partition, {
      localLogStartOffset: state.localLogStartOffset,
      latestTieredOffset: state.latestTieredOffset,
      localSizeBytes: state.localSizeBytes,
      remoteSizeBytes: state.remoteSizeBytes,
    })
  }
  return result
}
