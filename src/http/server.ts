// The HTTP port (fastify): /health (alive), /ready (storage open, listener up, not shutting down),
// /metrics (Prometheus text), the admin REST API under /api/v1 with its OpenAPI document at
// /api/v1/openapi.json, and a WebSocket tail of a topic. Documented in docs/http-api.md.

import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { ApiRoutes } from './api-route.ts'
import type { BrokerView, HttpContext } from './context.ts'
import { ApiError, installErrorHandler } from './errors.ts'
import { openApiDocument } from './openapi.ts'
import { registerClusterRoutes } from './routes/cluster.ts'
import { registerGroupRoutes } from './routes/groups.ts'
import { registerMessageRoutes } from './routes/messages.ts'
import { registerTailRoute } from './routes/tail.ts'
import { registerTopicRoutes } from './routes/topics.ts'

export type { HttpContext } from './context.ts'

export interface HttpServer {
  host: string
  port: number
  close(): Promise<void>
}

/** Largest request body accepted (produce over REST). Default 16 MiB. */
export const httpBodyBytesMax = 16 * 1024 * 1024

export async function startHttpServer(options: {
  host: string
  port: number
  context: HttpContext
}): Promise<HttpServer> {
  const { context } = options
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: httpBodyBytesMax })
  installErrorHandler(app, context.log)
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  app.get('/health', async () => ({ status: 'ok' }))
  app.get('/ready', async (_request, reply) => {
    const ready = context.ready()
    void reply.status(ready ? 200 : 503)
    return { status: ready ? 'ready' : context.stopping() ? 'stopping' : 'starting' }
  })
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', context.metrics.registry.contentType)
    return context.metrics.exposition()
  })
  const routes = new ApiRoutes(app)
  const brokerOf = (): BrokerView => {
    const broker = context.broker()
    if (broker === null) throw new ApiError(503, 'NOT_READY', 'the broker is starting')
    return broker
  }
  registerClusterRoutes(routes, brokerOf, context.version)
  registerTopicRoutes(routes, brokerOf)
  registerMessageRoutes(routes, brokerOf)
  registerGroupRoutes(routes, brokerOf)
  registerTailRoute(app, routes, context.broker)
  const document = openApiDocument(routes.specs, context.version)
  app.get('/api/v1/openapi.json', async () => document)
  await app.listen({ host: options.host, port: options.port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address')
  return { host: address.address, port: address.port, close: () => app.close() }
}
