// The HTTP port: /health (alive), /ready (storage open, listener up, not shutting down), /metrics
// (Prometheus text), the admin REST API under /api/v1 with its OpenAPI document at
// /api/v1/openapi.json, and a WebSocket tail of a topic. Documented in docs/http-api.md.
//
// Two parts, so the HTTP port never delays the Kafka listener nor weighs on an idle broker:
// `startHttpServer` binds the port at once (a bare node:http server, ~1 ms) and answers /health,
// /ready and /metrics itself (probes.ts) and the web console's files at / (console-assets.ts, loaded
// and read on the first console request); the fastify app (app.ts: fastify, ajv, the route schemas:
// most of the port's memory and start-up CPU) is built for the admin API when `warm()` is called or
// when the first other request or WebSocket upgrade arrives. Requests that arrive while it is built
// wait for it; none is refused.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { ThroughputHistory } from '../metrics/throughput-history.ts'
import type { HttpApp } from './app.ts'
import type { ConsoleAssets } from './console-assets.ts'
import type { HttpContext } from './context.ts'
import { answerProbe } from './probes.ts'

export type { HttpContext } from './context.ts'

export interface HttpServer {
  host: string
  port: number
  /** Builds the app now (idempotent); resolves when requests are served by it. */
  warm(): Promise<void>
  close(): Promise<void>
}

/** GET/HEAD outside /api/ is the web console (its files and its client-side routes). */
function isConsoleRequest(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const url = request.url ?? '/'
  return !url.startsWith('/api/') && url !== '/api'
}

export async function startHttpServer(options: {
  host: string
  port: number
  context: HttpContext
}): Promise<HttpServer> {
  const { context } = options
  const server = createServer()
  // Sampled from start, so the console's charts show the minutes before the page was opened.
  const history = new ThroughputHistory(context.metrics)
  history.start()
  let built: HttpApp | null = null
  let building: Promise<HttpApp> | null = null
  let closed = false
  const build = (): Promise<HttpApp> => {
    building ??= import('./app.ts')
      .then(({ buildHttpApp }) => buildHttpApp(server, context, history))
      .then((app) => {
        built = app
        server.off('upgrade', onEarlyUpgrade)
        return app
      })
    return building
  }
  let consoleAssets: Promise<ConsoleAssets> | null = null
  const serveConsole = (request: IncomingMessage, response: ServerResponse): void => {
    consoleAssets ??= import('./console-assets.ts').then(
      ({ ConsoleAssets, consoleAssetsDir }) =>
        new ConsoleAssets(context.consoleAssetsDir ?? consoleAssetsDir()),
    )
    consoleAssets.then(
      (assets) => assets.serve(request, response),
      (error: unknown) => {
        context.log.error({ err: error }, 'loading the console server failed')
        response.statusCode = 500
        response.end()
      },
    )
  }
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (answerProbe(request, response, context)) return
    if (isConsoleRequest(request)) {
      serveConsole(request, response)
      return
    }
    if (built !== null) {
      built.handle(request, response)
      return
    }
    build().then(
      (app) => app.handle(request, response),
      (error: unknown) => {
        context.log.error({ err: error }, 'building the HTTP app failed')
        response.statusCode = 500
        response.end()
      },
    )
  }
  // @fastify/websocket adds its own 'upgrade' listener when the app is built; until then an upgrade
  // waits here and is emitted again once that listener exists.
  const onEarlyUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    build().then(
      () => server.emit('upgrade', request, socket, head),
      () => socket.destroy(),
    )
  }
  server.on('request', onRequest)
  server.on('upgrade', onEarlyUpgrade)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address')
  return {
    host: address.address,
    port: address.port,
    async warm() {
      if (!closed) await build()
    },
    async close() {
      closed = true
      history.stop()
      // An app being built is closed once built (its WebSocket tails and hooks end with it).
      const app = building === null ? null : await building.catch(() => null)
      await app?.app.close()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      })
    },
  }
}
