// The [tiered_storage] section (KIP-405; docs/tiered-storage.md): whether remote storage is on, the
// object store (S3-compatible or a directory), the remote log manager's task interval, upload
// concurrency, retries, the remote read cache, the bound on local bytes waiting for upload, and the
// read breaker's thresholds (Kafka has no read breaker, so these have no Kafka name).
// Kafka's broker names where Kafka has one (remote.log.storage.system.enable,
// remote.log.manager.task.interval.ms, …; mapped in kafka-names.ts).

import { z } from 'zod'

const int32Max = 2 ** 31 - 1
const doc = (text: string, extra: Record<string, string> = {}) => ({ doc: text, ...extra })

export const tieredStorageSchema = z
  .object({
    remoteLogStorageSystemEnable: z
      .boolean()
      .default(false)
      .meta(
        doc('Tiered storage on: topics with remote.storage.enable=true copy closed segments to the store.', {
          flag: 'tiered-storage',
        }),
      ),
    backend: z
      .enum(['s3', 'filesystem'])
      .default('s3')
      .meta(doc('The remote store: s3 (any S3-compatible service) or filesystem (a directory).')),
    s3Bucket: z
      .string()
      .min(1)
      .optional()
      .meta(doc('Bucket of the remote store.', { valueName: '<name>' })),
    s3Region: z.string().min(1).default('us-east-1').meta(doc('Region of the bucket (R2: auto).')),
    s3Endpoint: z
      .string()
      .url()
      .optional()
      .meta(doc('S3 API endpoint for MinIO, R2, GCS (unset: AWS).', { valueName: '<url>' })),
    s3Prefix: z.string().default('').meta(doc('Key prefix of every object this broker writes.')),
    s3ForcePathStyle: z
      .boolean()
      .default(false)
      .meta(doc('Path-style addressing (bucket in the path), as MinIO and most self-hosted services need.')),
    s3AccessKeyId: z
      .string()
      .min(1)
      .optional()
      .meta(doc("Access key (unset: the AWS SDK's default chain: env, shared files, roles).")),
    s3SecretAccessKey: z.string().min(1).optional().meta(doc('Secret key that goes with s3_access_key_id.')),
    s3MultipartThresholdBytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .max(Number.MAX_SAFE_INTEGER)
      .default(64 * 1024 * 1024)
      .meta(doc('Objects (segments) of this size or more are uploaded in parts (multipart upload).')),
    s3MultipartPartBytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .max(5 * 1024 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .meta(doc('Size of one part of a multipart upload (S3: 5 MiB to 5 GiB).')),
    filesystemPath: z
      .string()
      .min(1)
      .optional()
      .meta(doc('Directory of the filesystem backend.', { valueName: '<dir>' })),
    remoteLogManagerTaskIntervalMs: z
      .number()
      .int()
      .min(10)
      .max(int32Max)
      .default(30_000)
      .meta(doc('How often closed segments are looked for, copied and expired remotely.')),
    uploadConcurrency: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(4)
      .meta(
        doc(
          'Segments copied at once (halved on SlowDown/503; Kafka: remote.log.manager.copier.thread.pool.size).',
        ),
      ),
    remoteLogManagerTaskRetryBackoffMs: z
      .number()
      .int()
      .min(1)
      .max(int32Max)
      .default(500)
      .meta(doc('First retry delay of a failed remote operation (doubles, with jitter).')),
    remoteLogManagerTaskRetryBackoffMaxMs: z
      .number()
      .int()
      .min(1)
      .max(int32Max)
      .default(30_000)
      .meta(doc('Longest retry delay of a failed remote operation.')),
    requestTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(int32Max)
      .default(30_000)
      .meta(doc('Longest one request to the store may take.')),
    cacheBytes: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(64 * 1024 * 1024)
      .meta(doc('Memory for remote data and indexes read (least recently used evicted).')),
    cacheChunkBytes: z
      .number()
      .int()
      .min(4096)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .meta(doc('Size of one ranged read of remote data (and of one cache entry).')),
    localPendingUploadBytesMax: z
      .number()
      .int()
      .min(-1)
      .max(Number.MAX_SAFE_INTEGER)
      .default(-1)
      .meta(
        doc(
          'Per partition: local bytes not yet copied beyond which produce fails with KAFKA_STORAGE_ERROR (-1: no bound).',
        ),
      ),
    readBreakerFailuresToOpen: z
      .number()
      .int()
      .min(1)
      .max(int32Max)
      .default(5)
      .meta(
        doc(
          'Remote reads that fail in a row (store down or timing out) before remote reads fail fast (read breaker).',
        ),
      ),
    readBreakerOpenMs: z
      .number()
      .int()
      .min(1)
      .max(int32Max)
      .default(2_000)
      .meta(doc('How long the read breaker fails remote reads fast before one read probes the store.')),
  })
  .strict()

export type TieredStorageConfig = z.output<typeof tieredStorageSchema>

/** Refuses a section that cannot work (names the field). */
export function checkTieredStorage(section: TieredStorageConfig, context: z.RefinementCtx): void {
  if (!section.remoteLogStorageSystemEnable) return
  if (section.backend === 's3' && section.s3Bucket === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['tieredStorage', 's3Bucket'],
      message: 'required with backend s3',
    })
  }
  if (section.backend === 'filesystem' && section.filesystemPath === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['tieredStorage', 'filesystemPath'],
      message: 'required with backend filesystem',
    })
  }
}
