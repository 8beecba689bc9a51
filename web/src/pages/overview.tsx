// Overview: what this cluster is, and its throughput of the last minutes (the broker keeps the
// history: GET /api/v1/metrics/history), refreshed every two seconds; and the health of the schema
// registry, Connect and SQL (GET /api/v1/services), every ten.

import { api } from '../api.ts'
import { TimeChart } from '../components/chart.tsx'
import { ErrorBox } from '../components/feedback.tsx'
import { formatBytes, formatNumber } from '../format.ts'
import { useLoad } from '../hooks.ts'
import { type ServiceState, servicesApi } from '../services-api.ts'

export function OverviewPage() {
  const cluster = useLoad(() => api.cluster(), [], 5000)
  const history = useLoad(() => api.history(), [], 2000)
  const services = useLoad(() => servicesApi.services(), [], 10_000)
  const samples = history.data?.samples ?? []
  const times = samples.map((sample) => sample.timeMs / 1000)
  const info = cluster.data
  return (
    <>
      <h1>Overview</h1>
      <ErrorBox error={cluster.error ?? history.error} />
      {info === null ? null : (
        <dl class="stats" aria-label="Cluster">
          <div>
            <dt>Cluster id</dt>
            <dd data-testid="cluster-id">{info.clusterId}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{info.version}</dd>
          </div>
          <div>
            <dt>Brokers</dt>
            <dd>
              {info.brokers.map((broker) => `${broker.nodeId} (${broker.host}:${broker.port})`).join(', ')}
            </dd>
          </div>
          <div>
            <dt>Topics</dt>
            <dd data-testid="topic-count">{formatNumber(info.topics)}</dd>
          </div>
          <div>
            <dt>Partitions</dt>
            <dd>{formatNumber(info.partitions)}</dd>
          </div>
          <div>
            <dt>Stored</dt>
            <dd>{formatBytes(info.sizeBytes)}</dd>
          </div>
          <div>
            <dt>Storage</dt>
            <dd>
              {info.mode === 'memory'
                ? 'in memory'
                : info.mode === 'cluster'
                  ? 'cluster (PostgreSQL + object store)'
                  : (info.dataDir ?? 'disk')}
            </dd>
          </div>
          <div>
            <dt>Connections</dt>
            <dd>{samples.length === 0 ? '–' : samples[samples.length - 1].connections}</dd>
          </div>
        </dl>
      )}
      {services.data === null ? null : (
        <dl class="stats" aria-label="Services">
          <ServiceHealth name="Schema registry" state={services.data.registry} />
          <ServiceHealth name="Connect" state={services.data.connect} />
          <ServiceHealth name="SQL" state={services.data.sql} />
        </dl>
      )}
      <section class="charts" aria-label="Throughput">
        <TimeChart
          title="Records per second"
          unit=""
          times={times}
          series={[
            { label: 'in', color: '#2f80ed', values: samples.map((sample) => sample.recordsInPerSec) },
            { label: 'out', color: '#27ae60', values: samples.map((sample) => sample.recordsOutPerSec) },
          ]}
        />
        <TimeChart
          title="Bytes per second"
          unit="B"
          times={times}
          series={[
            { label: 'in', color: '#2f80ed', values: samples.map((sample) => sample.bytesInPerSec) },
            { label: 'out', color: '#27ae60', values: samples.map((sample) => sample.bytesOutPerSec) },
          ]}
        />
        <TimeChart
          title="Requests per second"
          unit=""
          times={times}
          series={[
            { label: 'requests/s', color: '#9b51e0', values: samples.map((sample) => sample.requestsPerSec) },
          ]}
        />
        <TimeChart
          title="Request latency (ms)"
          unit=""
          times={times}
          series={[
            { label: 'p50', color: '#2f80ed', values: samples.map((sample) => sample.requestP50Ms) },
            { label: 'p99', color: '#f2994a', values: samples.map((sample) => sample.requestP99Ms) },
            { label: 'mean', color: '#27ae60', values: samples.map((sample) => sample.requestMeanMs) },
          ]}
        />
      </section>
    </>
  )
}

function ServiceHealth(props: { name: string; state: ServiceState }) {
  const { state } = props
  return (
    <div>
      <dt>{props.name}</dt>
      <dd data-testid={`service-${props.name}`}>
        {state.status}
        {state.latencyMs === null ? '' : ` (${state.latencyMs} ms)`}
      </dd>
    </div>
  )
}
