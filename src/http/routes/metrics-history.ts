// Admin API: the broker's recent throughput (src/metrics/throughput-history.ts), for live charts.

import type { ThroughputHistory } from '../../metrics/throughput-history.ts'
import { type ApiRoutes, objectSchema } from '../api-route.ts'

const sample = objectSchema({
  timeMs: { type: 'integer', description: 'End of the interval, ms since the epoch' },
  recordsInPerSec: { type: 'number' },
  bytesInPerSec: { type: 'number' },
  recordsOutPerSec: { type: 'number' },
  bytesOutPerSec: { type: 'number' },
  requestsPerSec: { type: 'number' },
  requestMeanMs: { type: 'number' },
  requestP50Ms: { type: 'number' },
  requestP99Ms: { type: 'number' },
  connections: { type: 'integer' },
})

export function registerMetricsHistoryRoute(routes: ApiRoutes, history: ThroughputHistory): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/metrics/history',
      summary:
        'Recent throughput: records and bytes in (Produce) and out (Fetch) per second, requests, connections; oldest first',
      tag: 'cluster',
      responses: {
        200: {
          description: 'Samples of the last minutes',
          schema: objectSchema({
            intervalMs: { type: 'integer' },
            samples: { type: 'array', items: sample },
          }),
        },
      },
    },
    async () => ({ intervalMs: history.intervalMs, samples: history.list() }),
  )
}
