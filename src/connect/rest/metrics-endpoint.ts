// GET /metrics on a `streamline connect` worker's REST listener: the Connect metrics (connect-metrics.ts,
// also the rebalance metrics in a group) in Prometheus' text format. A worker inside `streamline` has
// them on the broker's /metrics instead. prom-client and the registry load on the first scrape.

import type { ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import type { Worker } from '../runtime/worker.ts'

export type MetricsEndpoint = (response: ServerResponse) => void

export function connectMetricsEndpoint(workerOf: () => Worker | null): MetricsEndpoint {
  let registry: Promise<Registry> | null = null
  const load = async (): Promise<Registry> => {
    const [{ promClient }, { registerConnectMetrics }] = await Promise.all([
      import('../../metrics/prom-client.ts'),
      import('../runtime/connect-metrics.ts'),
    ])
    const created = new (promClient().Registry)()
    registerConnectMetrics(created, workerOf)
    return created
  }
  return (response) => {
    registry ??= load()
    registry
      .then(async (loaded) => {
        const text = await loaded.metrics()
        response.writeHead(200, { 'content-type': loaded.contentType })
        response.end(text)
      })
      .catch((error: unknown) => {
        const body = JSON.stringify({ error_code: 500, message: (error as Error).message })
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' })
        response.end(body)
      })
  }
}
