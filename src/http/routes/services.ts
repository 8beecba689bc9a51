// The platform's other HTTP services as seen from the admin port: GET /api/v1/services (is the schema
// registry, Connect and SQL on, and do they answer), and a pass-through of the schema registry's REST
// API under /api/v1/registry/… and Connect's under /api/v1/connect/…. The console is served from this
// port and its Content-Security-Policy allows only this origin, so its Schemas and Connectors pages call
// the services through here; the answers (status, body, content type) are the services' own, unchanged
// (Confluent's `{"error_code","message"}` errors included). Scripts can use the services' ports directly.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { internalPrincipalHeaders } from '../../security/internal-principal.ts'
import { anonymousPrincipal } from '../../security/principal.ts'
import { type ApiRoutes, objectSchema } from '../api-route.ts'
import { principalOf } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

/** A proxied call that takes longer is answered 504 (a Connect restart can take seconds). */
const upstreamTimeoutMs = 30_000
/** A health probe that takes longer marks the service down. */
const probeTimeoutMs = 2_000

interface ProxiedService {
  name: 'registry' | 'connect'
  prefix: string
  label: string
  urlOf(broker: BrokerView): string | null
  /** Path answered cheaply by a running service (its liveness route). */
  probePath: string
}

const proxied: readonly ProxiedService[] = [
  {
    name: 'registry',
    prefix: '/api/v1/registry',
    label: 'schema registry',
    urlOf: (broker) => broker.registryUrl,
    probePath: '/',
  },
  {
    name: 'connect',
    prefix: '/api/v1/connect',
    label: 'Kafka Connect',
    urlOf: (broker) => broker.connectUrl,
    probePath: '/',
  },
]

const forwardedRequestHeaders = ['content-type', 'accept'] as const

async function forward(
  service: ProxiedService,
  base: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const url = request.raw.url ?? ''
  const target = `${base}${url.slice(service.prefix.length) || '/'}`
  const headers: Record<string, string> = {}
  for (const name of forwardedRequestHeaders) {
    const value = request.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  // The registry asks for credentials once the broker has users; the console's session stands in for
  // them (the logged-in principal, or ANONYMOUS when the admin API is open, as it is to everyone).
  Object.assign(headers, internalPrincipalHeaders(principalOf(request) ?? anonymousPrincipal))
  const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined
  let response: Response
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(upstreamTimeoutMs),
      redirect: 'manual',
    })
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError'
    throw new ApiError(
      timedOut ? 504 : 502,
      'SERVICE_UNAVAILABLE',
      `the ${service.label} at ${base} ${timedOut ? 'did not answer in time' : 'is not reachable'}`,
    )
  }
  const payload = Buffer.from(await response.arrayBuffer())
  const type = response.headers.get('content-type')
  if (type !== null) void reply.header('content-type', type)
  void reply.status(response.status)
  return payload
}

async function registerProxy(
  app: FastifyInstance,
  routes: ApiRoutes,
  brokerOf: () => BrokerView,
): Promise<void> {
  for (const service of proxied) {
    routes.document({
      method: 'GET',
      url: `${service.prefix}/:path`,
      summary: `The ${service.label}'s REST API, passed through unchanged (every method; docs/console.md)`,
      tag: 'services',
      params: objectSchema({ path: { type: 'string' } }),
      responses: { 200: { description: `The ${service.label}'s answer` } },
      errors: [404, 502, 504],
    })
  }
  // Bodies pass through as bytes (the registry's own media types included), so this scope drops the
  // JSON parser the rest of the API uses.
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 },
      (_request, body, parsed) => parsed(null, body),
    )
    for (const service of proxied) {
      const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
        const base = service.urlOf(brokerOf())
        if (base === null) {
          throw new ApiError(404, 'SERVICE_DISABLED', `the ${service.label} is not enabled on this broker`)
        }
        return forward(service, base, request, reply)
      }
      const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
      scope.route({ method: [...methods], url: service.prefix, handler })
      scope.route({ method: [...methods], url: `${service.prefix}/*`, handler })
    }
    done()
  })
}

type ServiceState = {
  enabled: boolean
  status: 'up' | 'down' | 'disabled'
  url: string | null
  latencyMs: number | null
}

async function probe(base: string | null, path: string): Promise<ServiceState> {
  if (base === null) return { enabled: false, status: 'disabled', url: null, latencyMs: null }
  const started = performance.now()
  try {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(probeTimeoutMs) })
    await response.arrayBuffer()
    const latencyMs = Math.round((performance.now() - started) * 10) / 10
    return { enabled: true, status: response.ok ? 'up' : 'down', url: base, latencyMs }
  } catch {
    return { enabled: true, status: 'down', url: base, latencyMs: null }
  }
}

const serviceSchema = objectSchema({
  enabled: { type: 'boolean' },
  status: { type: 'string', enum: ['up', 'down', 'disabled'] },
  url: { type: ['string', 'null'], description: "The service's own address" },
  latencyMs: { type: ['number', 'null'], description: 'Time its liveness route took to answer' },
})

export async function registerServiceRoutes(
  app: FastifyInstance,
  routes: ApiRoutes,
  brokerOf: () => BrokerView,
): Promise<void> {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/services',
      summary: 'The schema registry, Connect and SQL: enabled, answering, and how fast',
      tag: 'services',
      responses: {
        200: {
          description: 'Each service',
          schema: objectSchema({ registry: serviceSchema, connect: serviceSchema, sql: serviceSchema }),
        },
      },
    },
    async () => {
      const broker = brokerOf()
      const [registry, connect] = await Promise.all(
        proxied.map((service) => probe(service.urlOf(broker), service.probePath)),
      )
      // SQL runs in this process (DuckDB loads on the first query): on whenever the broker is.
      const sql: ServiceState = { enabled: true, status: 'up', url: null, latencyMs: null }
      return { registry, connect, sql }
    },
  )
  await registerProxy(app, routes, brokerOf)
}
