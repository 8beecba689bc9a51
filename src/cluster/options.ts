// What a broker needs to join a cluster (docs/cluster.md): where the metadata lives (a PostgreSQL URL),
// where the data lives (an S3-compatible bucket and prefix), and the timings of membership, leases and
// the object writer. Parsed from the `[cluster]` config section (src/config/cluster-options.ts).

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'

export interface ClusterObjectStoreOptions {
  bucket: string
  /** Key prefix below which this cluster's objects go ('' or ending in '/'). */
  prefix: string
  region: string
  endpoint?: string
  forcePathStyle: boolean
  accessKeyId?: string
  secretAccessKey?: string
  requestTimeoutMs: number
}

export interface ClusterOptions {
  /** postgres://user:password@host:port/database */
  metadataUrl: string
  objectStore: ClusterObjectStoreOptions
  /** How often a broker heartbeats, renews its leases and looks for partitions without a leader. */
  heartbeatIntervalMs: number
  /** A broker whose heartbeat is older than this is dead; its leases expire after the same time. */
  leaseTimeoutMs: number
  /** The object writer PUTs what it holds at least this often (ms) ... */
  flushIntervalMs: number
  /** ... or as soon as it holds this many bytes. */
  flushBytes: number
  /** Memory for object ranges read by Fetch (least recently used evicted). */
  readCacheBytes: number
  /** How often a non-leader looks for new committed data while a Fetch waits on it. */
  fetchPollIntervalMs: number
  /** Connections to PostgreSQL per broker. */
  poolSize: number
  /** An object no index row refers to any more (retention, DeleteRecords, deleted topics) is deleted
   * from the store this long after (reads in flight may still use it). Kafka: file.delete.delay.ms. */
  objectDeleteDelayMs: number
  /** `transactional.id.expiration.ms`: a transactional id with no transaction open this long is removed. */
  transactionalIdExpirationMs: number
  /** `producer.id.expiration.ms`: a producer silent this long loses its state (no transaction open). */
  producerIdExpirationMs: number
}

export const defaultClusterTimings = {
  heartbeatIntervalMs: 1_000,
  leaseTimeoutMs: 3_000,
  flushIntervalMs: 5,
  flushBytes: 4 * 1024 * 1024,
  readCacheBytes: 64 * 1024 * 1024,
  fetchPollIntervalMs: 100,
  poolSize: 8,
  objectDeleteDelayMs: 60_000,
  transactionalIdExpirationMs: 604_800_000,
  producerIdExpirationMs: 86_400_000,
} as const

/** `s3://bucket/prefix/…` → bucket and prefix ('' or ending in '/'). Throws on anything else. */
export function parseObjectStoreUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url)
  if (match === null)
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `object store must be s3://bucket[/prefix], not ${url}`)
  const prefix = match[2] ?? ''
  return { bucket: match[1], prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` }
}
