// Cluster mode on /metrics (docs/cluster.md), read at scrape time from the cluster node: live members,
// the leases this broker holds (partitions, group coordinator slots), and the object store's and the
// metadata database's latencies on the write path (seconds spent and objects written since start, so
// rate(seconds)/rate(objects) is the mean) and on the read path (index queries and ranged GETs, the
// same way, and the read cache's hits). 0 outside cluster mode.

import type { Registry } from 'prom-client'
import { promClient } from './prom-client.ts'
import type { MetricSources } from './state-gauges.ts'

/** What the cluster node reports (src/cluster/cluster-node.ts). */
export interface ClusterMetricsSnapshot {
  liveBrokers: number
  partitionLeases: number
  groupCoordinatorLeases: number
  objectsWritten: number
  objectPutSecondsSum: number
  metadataCommitSecondsSum: number
  indexQueries: number
  indexQuerySecondsSum: number
  objectGets: number
  objectGetSecondsSum: number
  readCacheHits: number
}

const gauges: { name: string; help: string; field: keyof ClusterMetricsSnapshot }[] = [
  { name: 'streamline_cluster_live_brokers', help: 'Live brokers of the cluster.', field: 'liveBrokers' },
  {
    name: 'streamline_cluster_partition_leases',
    help: 'Partitions this broker leads (leases held).',
    field: 'partitionLeases',
  },
  {
    name: 'streamline_cluster_group_coordinator_leases',
    help: 'Group coordinator slots this broker holds.',
    field: 'groupCoordinatorLeases',
  },
  {
    name: 'streamline_cluster_objects_written_total',
    help: 'Objects written (PUT and committed) since start.',
    field: 'objectsWritten',
  },
  {
    name: 'streamline_cluster_object_put_seconds_total',
    help: 'Seconds spent in object store PUTs since start (divide by objects_written_total).',
    field: 'objectPutSecondsSum',
  },
  {
    name: 'streamline_cluster_metadata_commit_seconds_total',
    help: 'Seconds spent committing objects to PostgreSQL since start (divide by objects_written_total).',
    field: 'metadataCommitSecondsSum',
  },
  {
    name: 'streamline_cluster_index_queries_total',
    help: 'Reads of the object index in PostgreSQL (one per partition read) since start.',
    field: 'indexQueries',
  },
  {
    name: 'streamline_cluster_index_query_seconds_total',
    help: 'Seconds spent in object index queries since start (divide by index_queries_total).',
    field: 'indexQuerySecondsSum',
  },
  {
    name: 'streamline_cluster_object_gets_total',
    help: 'Ranged GETs from the object store (read cache misses) since start.',
    field: 'objectGets',
  },
  {
    name: 'streamline_cluster_object_get_seconds_total',
    help: 'Seconds spent in object store GETs since start (divide by object_gets_total).',
    field: 'objectGetSecondsSum',
  },
  {
    name: 'streamline_cluster_read_cache_hits_total',
    help: 'Object ranges answered from the read cache since start.',
    field: 'readCacheHits',
  },
]

export function registerClusterGauges(registry: Registry, sourcesOf: () => MetricSources | null): void {
  const { Gauge } = promClient()
  for (const metric of gauges) {
    new Gauge({
      name: metric.name,
      help: metric.help,
      registers: [registry],
      collect() {
        const snapshot = sourcesOf()?.clusterSnapshot?.()
        if (snapshot !== undefined) this.set(snapshot[metric.field])
      },
    })
  }
}
