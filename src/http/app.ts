// The fastify application behind the HTTP port: the admin REST API under /api/v1 with its OpenAPI
// document, and the WebSocket tail (/health, /ready and /metrics are answered before it, probes.ts).
// server.ts imports this module only when the app is first needed (an /api request or a WebSocket
// upgrade), because fastify, ajv and the route schemas cost more than everything else of the port.

import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import type { ThroughputHistory } from '../metrics/throughput-history.ts'
import { ApiRoutes } from './api-route.ts'
import { installAuthGuard } from './auth/guard.ts'
import { SessionStore } from './auth/sessions.ts'
import type { BrokerView, HttpContext } from './context.ts'
import { ApiError, installErrorHandler } from './errors.ts'
import { openApiDocument } from './openapi.ts'
import { registerAclRoutes } from './routes/acls.ts'
import { registerBrokerConfigRoutes } from './routes/broker-configs.ts'
import { registerClusterRoutes } from './routes/cluster.ts'
import { registerGroupRoutes } from './routes/groups.ts'
import { registerMessageRoutes } from './routes/messages.ts'
import { registerMetricsHistoryRoute } from './routes/metrics-history.ts'
import { registerQueryRoutes } from './routes/query.ts'
import { registerQuotaRoutes } from './routes/quotas.ts'
import { registerServiceRoutes } from './routes/services.ts'
import { registerSessionRoutes } from './routes/session.ts'
import { registerTailRoute } from './routes/tail.ts'
import { registerTopicAdminRoutes } from './routes/topic-admin.ts'
import { registerTopicRoutes } from './routes/topics.ts'
import { registerUserRoutes } from './routes/users.ts'

/** Largest request body accepted (produce over REST). Default 16 MiB. */
export const httpBodyBytesMax = 16 * 1024 * 1024

/** fastify's defaults (ms; 0: none), set on the server fastify did not create. */
const serverTimeouts = { keepAliveTimeout: 72_000, requestTimeout: 0, connectionTimeout: 0 }

/** Node's request handler of a built app, and the app itself (closed with the port). */
export interface HttpApp {
  app: FastifyInstance
  handle: (request: IncomingMessage, response: ServerResponse) => void
}

/**
 * Builds the app on an HTTP server that already listens (server.ts bound it at start-up): fastify's
 * `serverFactory` hands it the server instead of creating one, so the port never closes in between.
 */
export async function buildHttpApp(
  server: Server,
  context: HttpContext,
  history: ThroughputHistory,
): Promise<HttpApp> {
  let handle: HttpApp['handle'] | null = null
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: httpBodyBytesMax,
    ...serverTimeouts,
    serverFactory(handler) {
      handle = handler
      // What fastify does to a server it creates itself (fastify/lib/server.js).
      server.keepAliveTimeout = serverTimeouts.keepAliveTimeout
      server.requestTimeout = serverTimeouts.requestTimeout
      server.setTimeout(serverTimeouts.connectionTimeout)
      return server
    },
  })
  installErrorHandler(app, context.log)
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  // /health, /ready and /metrics are answered before the app by the bare server (probes.ts).
  const routes = new ApiRoutes(app)
  const brokerOf = (): BrokerView => {
    const broker = context.broker()
    if (broker === null) throw new ApiError(503, 'NOT_READY', 'the broker is starting')
    return broker
  }
  const sessions = new SessionStore()
  installAuthGuard(app, context.broker, sessions)
  registerSessionRoutes(routes, brokerOf, sessions)
  registerClusterRoutes(routes, brokerOf, context.version)
  registerMetricsHistoryRoute(routes, history)
  registerTopicRoutes(routes, brokerOf)
  registerTopicAdminRoutes(routes, brokerOf)
  registerMessageRoutes(routes, brokerOf)
  registerGroupRoutes(routes, brokerOf)
  registerQueryRoutes(routes, brokerOf)
  registerAclRoutes(routes, brokerOf)
  registerUserRoutes(routes, brokerOf)
  registerQuotaRoutes(routes, brokerOf)
  registerBrokerConfigRoutes(routes, brokerOf)
  await registerServiceRoutes(app, routes, brokerOf)
  registerTailRoute(app, routes, context.broker)
  const document = openApiDocument(routes.specs, context.version)
  app.get('/api/v1/openapi.json', async () => document)
  await app.ready()
  if (handle === null) throw new Error('fastify did not call serverFactory')
  return { app, handle }
}
