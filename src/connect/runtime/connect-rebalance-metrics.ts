// connect-worker-rebalance-metrics on /metrics, read at scrape time from the worker's group member
// (no series for a worker alone, as Kafka has none in standalone mode). Names follow the other Connect
// metrics (the JMX exporter's group_attribute form), each labelled with the worker's Connect group
// (`group`, Kafka's group.id); string values are labels of a gauge set to 1:
//   kafka_connect_connect_worker_rebalance_metrics_connect_protocol{group,protocol} 1
//   kafka_connect_connect_worker_rebalance_metrics_leader_name{group,leader_name} 1
//   kafka_connect_connect_worker_rebalance_metrics_epoch / _rebalancing (1 or 0)
//   kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total
//   kafka_connect_connect_worker_rebalance_metrics_rebalance_avg_time_ms / _rebalance_max_time_ms
//   kafka_connect_connect_worker_rebalance_metrics_time_since_last_rebalance_ms

import type { Registry } from 'prom-client'
import { promClient } from '../../metrics/prom-client.ts'
import type { RebalanceSnapshot } from '../distributed/rebalance-metrics.ts'

const prefix = 'kafka_connect_connect_worker_rebalance_metrics_'

export function registerConnectRebalanceMetrics(
  registry: Registry,
  snapshotOf: () => RebalanceSnapshot | null,
): void {
  const { Gauge } = promClient()
  const labelled = (suffix: string, help: string, label: string, read: (s: RebalanceSnapshot) => string) =>
    new Gauge({
      name: `${prefix}${suffix}`,
      help,
      labelNames: ['group', label],
      registers: [registry],
      collect() {
        this.reset()
        const snapshot = snapshotOf()
        if (snapshot !== null) this.set({ group: snapshot.groupId, [label]: read(snapshot) }, 1)
      },
    })
  labelled(
    'connect_protocol',
    'The Connect protocol in use (Kafka: connect-protocol).',
    'protocol',
    (s) => s.connectProtocol,
  )
  labelled(
    'leader_name',
    "The group leader's REST URL (Kafka: leader-name).",
    'leader_name',
    (s) => s.leaderName,
  )
  const values: Array<[string, string, (s: RebalanceSnapshot) => number]> = [
    ['epoch', 'The generation of the last assignment (Kafka: epoch).', (s) => s.epoch],
    [
      'rebalancing',
      '1 while this worker is rebalancing (Kafka: rebalancing).',
      (s) => (s.rebalancing ? 1 : 0),
    ],
    [
      'completed_rebalances_total',
      'Rebalances this worker completed (Kafka: completed-rebalances-total).',
      (s) => s.completedRebalancesTotal,
    ],
    [
      'rebalance_avg_time_ms',
      'Average time of a rebalance, join to assignment applied (Kafka: rebalance-avg-time-ms).',
      (s) => s.rebalanceAvgTimeMs,
    ],
    [
      'rebalance_max_time_ms',
      'Longest rebalance, join to assignment applied (Kafka: rebalance-max-time-ms).',
      (s) => s.rebalanceMaxTimeMs,
    ],
    [
      'time_since_last_rebalance_ms',
      'Time since the last completed rebalance; +Inf before the first (Kafka: time-since-last-rebalance-ms).',
      (s) => s.timeSinceLastRebalanceMs,
    ],
  ]
  for (const [suffix, help, read] of values)
    new Gauge({
      name: `${prefix}${suffix}`,
      help,
      labelNames: ['group'],
      registers: [registry],
      collect() {
        this.reset()
        const snapshot = snapshotOf()
        if (snapshot !== null) this.set({ group: snapshot.groupId }, read(snapshot))
      },
    })
}
