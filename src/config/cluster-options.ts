// The [cluster] section turned into the cluster node's options (src/cluster); null outside cluster mode.

import { type ClusterOptions, defaultClusterTimings, parseObjectStoreUrl } from '../cluster/options.ts'
import type { StreamlineConfig } from './schema.ts'

export function clusterOptionsOf(config: StreamlineConfig): ClusterOptions | null {
  const section = config.cluster
  if (section.metadata === undefined || section.objectStore === undefined) return null
  const { bucket, prefix } = parseObjectStoreUrl(section.objectStore)
  return {
    metadataUrl: section.metadata,
    objectStore: {
      bucket,
      prefix,
      region: section.s3Region,
      forcePathStyle: section.s3ForcePathStyle,
      requestTimeoutMs: section.s3RequestTimeoutMs,
      ...(section.s3Endpoint === undefined ? {} : { endpoint: section.s3Endpoint }),
      ...(section.s3AccessKeyId === undefined ? {} : { accessKeyId: section.s3AccessKeyId }),
      ...(section.s3SecretAccessKey === undefined ? {} : { secretAccessKey: section.s3SecretAccessKey }),
    },
    heartbeatIntervalMs: section.heartbeatIntervalMs,
    leaseTimeoutMs: section.leaseTimeoutMs,
    flushIntervalMs: section.flushIntervalMs,
    flushBytes: section.flushBytes,
    readCacheBytes: section.readCacheBytes,
    fetchPollIntervalMs: section.fetchPollIntervalMs,
    transactionalIdExpirationMs: section.transactionalIdExpirationMs,
    producerIdExpirationMs: section.producerIdExpirationMs,
    poolSize: defaultClusterTimings.poolSize,
    objectDeleteDelayMs: section.objectDeleteDelayMs,
  }
}
