// Gauges read at scrape time from the broker's state: partition sizes and offsets, topics,
// connections, fetch sessions and the data directory's file system. Documented in docs/metrics.md.

import { statfs } from 'node:fs/promises'
import type { Registry } from 'prom-client'
import type { LogManager } from '../storage/types.ts'
import type { ClusterMetricsSnapshot } from './cluster-gauges.ts'
import { promClient } from './prom-client.ts'

/** What the scrape-time gauges read. */
export interface MetricSources {
  logs: LogManager
  connectionCount(): number
  fetchSessionCount(): number
  /** The data directory, for disk usage; absent for an in-memory log. */
  dataDir?: string
  /** Committed offsets of every group (the group coordinator's), for lag. */
  committedOffsets(): Iterable<{ group: string; topic: string; partition: number; offset: number }>
  /** Cluster mode: members, leases and write-path latencies (cluster-gauges.ts). */
  clusterSnapshot?(): ClusterMetricsSnapshot
}

type SourcesOf = () => MetricSources | null

interface PartitionFields {
  topic: string
  partition: number
  sizeBytes: number
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
}

function forEachPartition(logs: LogManager, visit: (log: PartitionFields) => void): void {
  for (const topic of logs.listTopics()) {
    for (let partition = 0; partition < topic.partitionCount; partition += 1) {
      const log = logs.partition(topic.name, partition)
      if (log !== undefined) visit(log)
    }
  }
}

function partitionGauge(
  registry: Registry,
  sourcesOf: SourcesOf,
  metric: { name: string; help: string; read: (log: PartitionFields) => number },
): void {
  const { Gauge } = promClient()
  new Gauge({
    name: metric.name,
    help: metric.help,
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset()
      const sources = sourcesOf()
      if (sources === null) return
      forEachPartition(sources.logs, (log) => {
        this.set({ topic: log.topic, partition: String(log.partition) }, metric.read(log))
      })
    },
  })
}

function scalarGauge(
  registry: Registry,
  sourcesOf: SourcesOf,
  metric: { name: string; help: string; read: (sources: MetricSources) => number },
): void {
  const { Gauge } = promClient()
  new Gauge({
    name: metric.name,
    help: metric.help,
    registers: [registry],
    collect() {
      const sources = sourcesOf()
      if (sources !== null) this.set(metric.read(sources))
    },
  })
}

function diskGauges(registry: Registry, sourcesOf: SourcesOf): void {
  const { Gauge } = promClient()
  const read = async (which: 'free' | 'total'): Promise<number | null> => {
    const dataDir = sourcesOf()?.dataDir
    if (dataDir === undefined) return null
    const stats = await statfs(dataDir)
    return (which === 'free' ? stats.bavail : stats.blocks) * stats.bsize
  }
  for (const which of ['free', 'total'] as const) {
    new Gauge({
      name: `streamline_data_dir_${which}_bytes`,
      help:
        which === 'free'
          ? 'Bytes available to the broker on the data directory file system (absent in memory).'
          : 'Size of the data directory file system (absent in memory).',
      registers: [registry],
      async collect() {
        const value = await read(which)
        if (value !== null) this.set(value)
      },
    })
  }
}

export function registerStateGauges(registry: Registry, sourcesOf: SourcesOf): void {
  const { Gauge } = promClient()
  const partitionMetrics = [
    {
      name: 'streamline_partition_size_bytes',
      help: 'Bytes of record batches stored.',
      read: (log: PartitionFields) => log.sizeBytes,
    },
    {
      name: 'streamline_partition_log_start_offset',
      help: 'First readable offset.',
      read: (log: PartitionFields) => log.logStartOffset,
    },
    {
      name: 'streamline_partition_log_end_offset',
      help: 'Next offset to be written.',
      read: (log: PartitionFields) => log.logEndOffset,
    },
    {
      name: 'streamline_partition_high_watermark',
      help: 'Offset up to which consumers may read.',
      read: (log: PartitionFields) => log.highWatermark,
    },
  ]
  for (const metric of partitionMetrics) partitionGauge(registry, sourcesOf, metric)
  scalarGauge(registry, sourcesOf, {
    name: 'streamline_topics',
    help: 'Topics, internal ones included.',
    read: (sources) => sources.logs.listTopics().length,
  })
  scalarGauge(registry, sourcesOf, {
    name: 'streamline_connections',
    help: 'Open client connections.',
    read: (sources) => sources.connectionCount(),
  })
  scalarGauge(registry, sourcesOf, {
    name: 'streamline_fetch_sessions',
    help: 'Incremental fetch sessions cached (KIP-227).',
    read: (sources) => sources.fetchSessionCount(),
  })
  diskGauges(registry, sourcesOf)
  new Gauge({
    name: 'streamline_consumer_group_lag',
    help: 'High watermark minus the committed offset, per group and partition (never negative).',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset()
      const sources = sourcesOf()
      if (sources === null) return
      for (const committed of sources.committedOffsets()) {
        const log = sources.logs.partition(committed.topic, committed.partition)
        if (log === undefined) continue
        const labels = {
          group: committed.group,
          topic: committed.topic,
          partition: String(committed.partition),
        }
        this.set(labels, Math.max(0, log.highWatermark - committed.offset))
      }
    },
  })
}
