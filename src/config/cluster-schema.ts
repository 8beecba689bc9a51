// The [cluster] section (docs/cluster.md): a broker joins a cluster of stateless brokers when both
// `metadata` (a PostgreSQL URL, --cluster-metadata) and `object_store` (s3://bucket/prefix,
// --object-store) are set; with neither, nothing changes. The S3 connection settings and the timings
// of heartbeats, leases and the object writer have defaults that suit a small cluster.

import { z } from 'zod'
import { defaultClusterTimings } from '../cluster/options.ts'

const int32Max = 2 ** 31 - 1
const doc = (text: string, extra: Record<string, string> = {}) => ({ doc: text, ...extra })
const ms = (minimum: number) => z.number().int().min(minimum).max(int32Max)

export const clusterSchema = z
  .object({
    metadata: z
      .string()
      .regex(/^postgres(?:ql)?:\/\/\S+$/, 'expected postgres://user:password@host:port/database')
      .optional()
      .meta(
        doc('Cluster mode: the PostgreSQL that holds the cluster metadata (postgres://…).', {
          flag: 'cluster-metadata',
          valueName: '<url>',
        }),
      ),
    objectStore: z
      .string()
      .regex(/^s3:\/\/[^/\s]+(?:\/\S*)?$/, 'expected s3://bucket[/prefix]')
      .optional()
      .meta(
        doc('Cluster mode: the S3-compatible bucket and prefix that hold the data (s3://bucket/prefix).', {
          flag: 'object-store',
          valueName: '<url>',
        }),
      ),
    s3Region: z.string().min(1).default('us-east-1').meta(doc('Region of the bucket (R2: auto).')),
    s3Endpoint: z
      .string()
      .url()
      .optional()
      .meta(doc('S3 API endpoint for MinIO, R2, GCS (unset: AWS).', { valueName: '<url>' })),
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
    s3RequestTimeoutMs: ms(100)
      .default(30_000)
      .meta(doc('Longest one request to the object store may take.')),
    heartbeatIntervalMs: ms(10)
      .default(defaultClusterTimings.heartbeatIntervalMs)
      .meta(doc('How often a broker heartbeats, renews its leases and takes partitions without a leader.')),
    leaseTimeoutMs: ms(50)
      .default(defaultClusterTimings.leaseTimeoutMs)
      .meta(doc('A broker silent this long is dead; its partitions move to other brokers (epoch + 1).')),
    flushIntervalMs: ms(1)
      .default(defaultClusterTimings.flushIntervalMs)
      .meta(doc('The leader writes the produced batches of all its partitions as one object this often…')),
    flushBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(defaultClusterTimings.flushBytes)
      .meta(doc('…or as soon as it holds this many bytes.')),
    readCacheBytes: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(defaultClusterTimings.readCacheBytes)
      .meta(doc('Memory for object ranges read by Fetch (least recently used evicted).')),
    fetchPollIntervalMs: ms(10)
      .default(defaultClusterTimings.fetchPollIntervalMs)
      .meta(doc('While a Fetch waits on a partition led by another broker, how often its end is checked.')),
    objectDeleteDelayMs: ms(0)
      .default(defaultClusterTimings.objectDeleteDelayMs)
      .meta(
        doc(
          'An object no longer referenced (retention, DeleteRecords, deleted topics) is deleted this long after. Kafka: file.delete.delay.ms.',
        ),
      ),
    transactionalIdExpirationMs: ms(1_000)
      .default(defaultClusterTimings.transactionalIdExpirationMs)
      .meta(
        doc(
          "Kafka's transactional.id.expiration.ms: a transactional id without a transaction this long is forgotten.",
        ),
      ),
    producerIdExpirationMs: ms(1_000)
      .default(defaultClusterTimings.producerIdExpirationMs)
      .meta(
        doc("Kafka's producer.id.expiration.ms: a producer silent this long loses its idempotence state."),
      ),
  })
  .strict()

export type ClusterConfig = z.output<typeof clusterSchema>

/** Refuses a section that cannot work (names the field). */
export function checkCluster(section: ClusterConfig, context: z.RefinementCtx): void {
  if ((section.metadata === undefined) !== (section.objectStore === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['cluster', section.metadata === undefined ? 'metadata' : 'objectStore'],
      message: 'cluster mode needs both metadata (PostgreSQL) and object_store (S3)',
    })
  }
  if (section.leaseTimeoutMs <= section.heartbeatIntervalMs) {
    context.addIssue({
      code: 'custom',
      path: ['cluster', 'leaseTimeoutMs'],
      message: 'must be longer than heartbeat_interval_ms',
    })
  }
}
