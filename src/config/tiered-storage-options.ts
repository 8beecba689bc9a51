// The [tiered_storage] section turned into the remote log manager's options (storage/tiered/).

import type { TieredStorageOptions } from '../storage/tiered/tiered-storage.ts'
import type { StreamlineConfig } from './schema.ts'

export function tieredStorageOptionsOf(config: StreamlineConfig): TieredStorageOptions {
  const section = config.tieredStorage
  const store: TieredStorageOptions['store'] =
    section.backend === 'filesystem'
      ? { backend: 'filesystem', path: section.filesystemPath ?? '' }
      : {
          backend: 's3',
          bucket: section.s3Bucket ?? '',
          prefix: section.s3Prefix,
          region: section.s3Region,
          forcePathStyle: section.s3ForcePathStyle,
          requestTimeoutMs: section.requestTimeoutMs,
          multipartThresholdBytes: section.s3MultipartThresholdBytes,
          multipartPartBytes: section.s3MultipartPartBytes,
          ...(section.s3Endpoint === undefined ? {} : { endpoint: section.s3Endpoint }),
          ...(section.s3AccessKeyId === undefined ? {} : { accessKeyId: section.s3AccessKeyId }),
          ...(section.s3SecretAccessKey === undefined ? {} : { secretAccessKey: section.s3SecretAccessKey }),
        }
  return {
    store,
    taskIntervalMs: section.remoteLogManagerTaskIntervalMs,
    uploadConcurrency: section.uploadConcurrency,
    retry: {
      attemptsMax: 5,
      backoffInitialMs: section.remoteLogManagerTaskRetryBackoffMs,
      backoffMaxMs: section.remoteLogManagerTaskRetryBackoffMaxMs,
    },
    cacheBytes: section.cacheBytes,
    cacheChunkBytes: section.cacheChunkBytes,
    localPendingUploadBytesMax: section.localPendingUploadBytesMax,
    readBreaker: { failuresToOpen: section.readBreakerFailuresToOpen, openMs: section.readBreakerOpenMs },
  }
}
