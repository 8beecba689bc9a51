// Cluster mode on /metrics (docs/cluster.md), read at scrape time from the cluster node: live members,
// the leases this broker holds (partitions, group coordinator slots), and the object store's and the
// metadata database's latencies on the write path (seconds spent and objects written since start, so
// rate(seconds)/rate(objects) is the mean). 0 outside cluster mode.

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
