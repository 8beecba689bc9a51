// Tiered storage on /metrics (docs/metrics.md, docs/tiered-storage.md), read at scrape time from the
// remote log manager: totals since start (bytes and segments copied, deleted, read remotely, read
// errors, throttling events, refused appends, cache hits and misses) and per partition the remote
// size, remote segments and the upload lag (local bytes not copied yet). The totals are 0 and
// the partition gauges empty when tiered storage is off.

import type { Registry } from 'prom-client'
import type { RemoteStorageSnapshot } from '../storage/tiered/tiered-storage.ts'
import { promClient } from './prom-client.ts'
import type { MetricSources } from './state-gauges.ts'

type Counters = RemoteStorageSnapshot['counters']
type PartitionEntry = RemoteStorageSnapshot['partitions'][number]

const totals: { name: string; help: string; field: keyof Counters }[] = [
  { name: 'copied_bytes', help: 'Bytes uploaded to the remote store since start.', field: 'bytesCopied' },
  {
    name: 'copied_segments',
    help: 'Segments copied to the remote store since start.',
    field: 'segmentsCopied',
  },
  { name: 'deleted_bytes', help: 'Bytes of remote segments deleted since start.', field: 'bytesDeleted' },
  { name: 'deleted_segments', help: 'Remote segments deleted since start.', field: 'segmentsDeleted' },
  {
    name: 'read_bytes',
    help: 'Record bytes served from remote segments since start.',
    field: 'bytesReadRemotely',
  },
  {
    name: 'read_errors',
    help: 'Remote reads answered KAFKA_STORAGE_ERROR since start.',
    field: 'remoteReadErrors',
  },
  {
    name: 'copy_failures',
    help: 'Copy tasks that failed (retried next task) since start.',
    field: 'copyFailures',
  },
  {
    name: 'throttle_events',
    help: 'SlowDown/503 answers (concurrency halved) since start.',
    field: 'throttleEvents',
  },
  {
    name: 'appends_refused',
    help: 'Produces refused by local_pending_upload_bytes_max.',
    field: 'appendsRefused',
  },
  { name: 'cache_hits', help: 'Remote read cache hits since start.', field: 'cacheHits' },
  { name: 'cache_misses', help: 'Remote read cache misses (GETs) since start.', field: 'cacheMisses' },
  { name: 'cache_size_bytes', help: 'Bytes held by the remote read cache.', field: 'cacheSizeBytes' },
  { name: 'copy_concurrency', help: 'Current segment copy concurrency.', field: 'concurrency' },
  {
    name: 'read_breaker_opens',
    help: 'Times remote reads started failing fast (the store failed reads in a row) since start.',
    field: 'readBreakerOpens',
  },
  {
    name: 'reads_rejected',
    help: 'Remote reads refused while the read breaker was open since start.',
    field: 'readsRejected',
  },
]

const perPartition: { name: string; help: string; field: keyof PartitionEntry }[] = [
  {
    name: 'streamline_partition_remote_size_bytes',
    help: 'Bytes of copied segments.',
    field: 'remoteSizeBytes',
  },
  { name: 'streamline_partition_remote_segments', help: 'Copied segments.', field: 'remoteSegments' },
  {
    name: 'streamline_partition_remote_copy_lag_bytes',
    help: 'Local bytes not copied to the remote store yet.',
    field: 'pendingCopyBytes',
  },
]

export function registerTieredGauges(registry: Registry, sourcesOf: () => MetricSources | null): void {
  const { Gauge } = promClient()
  const snapshot = (): RemoteStorageSnapshot | null => sourcesOf()?.logs.remoteStorageSnapshot?.() ?? null
  for (const metric of totals) {
    new Gauge({
      name: `streamline_remote_storage_${metric.name}`,
      help: metric.help,
      registers: [registry],
      collect() {
        const current = snapshot()
        if (current !== null) this.set(current.counters[metric.field])
      },
    })
  }
  for (const metric of perPartition) {
    new Gauge({
      name: metric.name,
      help: metric.help,
      labelNames: ['topic', 'partition'],
      registers: [registry],
      collect() {
        this.reset()
        for (const entry of snapshot()?.partitions ?? []) {
          this.set({ topic: entry.topic, partition: String(entry.partition) }, Number(entry[metric.field]))
        }
      },
    })
  }
}
