// The Connect REST listener (default 127.0.0.1:8083, Kafka Connect's port). Like src/http/server.ts it
// binds a bare node:http server at start (~1 ms, nothing else loaded) and builds the app (the REST
// routes and the worker with its Kafka clients) on the first request. One exception keeps stored
// connectors alive across restarts: when `hasStoredConnectors()` says connect-configs holds records,
// the app is built right after start, so every connector resumes without waiting for a request.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Logger } from '../log.ts'
import type { SampleWindow } from '../metrics/sampled-stat.ts'
import type { GroupMemberSettings } from './distributed/group-member.ts'
import type { ConnectApp } from './rest/app.ts'
import { connectMetricsEndpoint } from './rest/metrics-endpoint.ts'
import type { ExactlyOnceSourceSupport } from './runtime/worker.ts'
import { defaultStateTopicNames, type StateTopicNames } from './storage/state-topics.ts'

export interface ConnectServer {
  host: string
  port: number
  /** `http://host:port`. */
  url: string
  /** Builds the app and starts the worker now (idempotent). */
  warm(): Promise<void>
  /** The running app, or null while it was never needed. */
  app(): ConnectApp | null
  close(): Promise<void>
}

export interface ConnectServerOptions {
  host: string
  port: number
  /** The Kafka cluster the worker uses. */
  bootstrap: string[]
  version: string
  log: Logger
  topics?: StateTopicNames
  /** Kafka: offset.flush.interval.ms (Kafka's default 60000; ours 1000, see docs/connect.md). */
  offsetFlushIntervalMs?: number
  /** Distributed mode: the Connect group (Kafka's group.id and its timeouts); absent, the worker runs alone. */
  group?: Omit<GroupMemberSettings, 'bootstrap' | 'clientId' | 'log' | 'url'>
  /** KIP-618's worker exactly.once.source.support (default disabled, as Kafka). */
  exactlyOnceSourceSupport?: ExactlyOnceSourceSupport
  /** Kafka's plugin.path: directories whose JS modules are loaded as connector plugins. */
  pluginPath?: string[]
  /** Kafka's metrics.sample.window.ms and metrics.num.samples (default 30000 × 2). */
  metricsWindow?: SampleWindow
  /** A cheap check at start: does connect-configs hold anything? Then the worker starts at once. */
  hasStoredConnectors?: () => Promise<boolean> | boolean
  /** Serve GET /metrics on this listener (`streamline connect`; inside `streamline` the broker's /metrics has them). */
  serveMetrics?: boolean
}

export async function startConnectServer(options: ConnectServerOptions): Promise<ConnectServer> {
  const server = createServer()
  let built: ConnectApp | null = null
  let building: Promise<ConnectApp> | null = null
  let closed = false
  let address = { host: options.host, port: options.port }
  const build = (): Promise<ConnectApp> => {
    building ??= import('./rest/app.ts')
      .then(({ buildConnectApp }) =>
        buildConnectApp({
          bootstrap: options.bootstrap,
          workerId: `${address.host}:${address.port}`,
          topics: options.topics ?? defaultStateTopicNames,
          offsetFlushIntervalMs: options.offsetFlushIntervalMs ?? 1_000,
          exactlyOnceSourceSupport: options.exactlyOnceSourceSupport ?? 'disabled',
          pluginPath: options.pluginPath ?? [],
          ...(options.metricsWindow === undefined ? {} : { metricsWindow: options.metricsWindow }),
          log: options.log,
          version: options.version,
          ...(options.group === undefined
            ? {}
            : { group: { ...options.group, url: `http://${address.host}:${address.port}` } }),
        }),
      )
      .then((app) => {
        built = app
        options.log.info({ url: `http://${address.host}:${address.port}` }, 'connect worker started')
        return app
      })
    return building
  }
  const metrics = options.serveMetrics === true ? connectMetricsEndpoint(() => built?.worker ?? null) : null
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (metrics !== null && isMetricsRequest(request)) return metrics(response)
    if (built !== null) return built.handle(request, response)
    build().then(
      (app) => app.handle(request, response),
      (error: unknown) => {
        options.log.error({ err: error }, 'starting the Connect worker failed')
        building = null // the next request tries again (the broker may not have been reachable)
        const body = JSON.stringify({
          error_code: 500,
          message: `The Connect worker could not start: ${(error as Error).message}`,
        })
        response.writeHead(500, { 'content-type': 'application/json' })
        response.end(body)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address()
  if (bound === null || typeof bound === 'string') throw new Error('Connect server has no TCP address')
  address = { host: bound.address, port: bound.port }
  const connectServer: ConnectServer = {
    host: address.host,
    port: address.port,
    url: `http://${address.host}:${address.port}`,
    async warm() {
      if (!closed) await build()
    },
    app: () => built,
    async close() {
      closed = true
      const app = building === null ? null : await building.catch(() => null)
      await app?.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
  resumeStoredConnectors(connectServer, options)
  return connectServer
}

function resumeStoredConnectors(server: ConnectServer, options: ConnectServerOptions): void {
  // A member of a Connect group joins at start: the group assigns it work whether or not it is asked.
  if (options.group !== undefined) {
    server
      .warm()
      .catch((error: unknown) => options.log.error({ err: error }, 'joining the Connect group failed'))
    return
  }
  if (options.hasStoredConnectors === undefined) return
  Promise.resolve(options.hasStoredConnectors())
    .then((stored) => (stored ? server.warm() : undefined))
    .catch((error: unknown) => options.log.error({ err: error }, 'resuming stored connectors failed'))
}

function isMetricsRequest(request: IncomingMessage): boolean {
  return request.method === 'GET' && request.url?.split('?')[0] === '/metrics'
}
