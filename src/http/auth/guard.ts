// Who may call the admin API. With authentication configured (a SASL listener), every /api request but
// the login routes and the OpenAPI document needs a session cookie (401 UNAUTHENTICATED), and every
// state-changing one its session's CSRF token in the x-csrf-token header (403 CSRF_TOKEN_INVALID),
// or a broker user's name and password as HTTP basic auth (401 SASL_AUTHENTICATION_FAILED when wrong).
// The session's principal is then held to the broker's ACLs as a Kafka client would be: each route
// names the ACL it needs (routeAcls), refused with Kafka's error name (TOPIC_AUTHORIZATION_FAILED, …);
// lists show only what the principal may DESCRIBE (mayDescribe). Without authentication nothing here
// applies: the API stays open on loopback, as the broker's PLAINTEXT listener is.

import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AclOperation, clusterResourceName, ResourceType } from '../../security/acl/model.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'
import { cookieValue, csrfHeaderName, type SessionStore, sessionCookieName, tokensEqual } from './sessions.ts'

const principals = new WeakMap<IncomingMessage, string>()

/** The logged-in principal of a request (`User:alice`), or undefined when the API is open. */
export function principalOf(request: FastifyRequest): string | undefined {
  return principals.get(request.raw)
}

interface Need {
  operation: number
  resourceType: number
  resourceName: string
}

type Params = Record<string, string>
type Body = Record<string, unknown> | undefined

const topic = (operation: number) => (params: Params) => [
  { operation, resourceType: ResourceType.TOPIC, resourceName: params.topic },
]
const group = (operation: number) => (params: Params) => [
  { operation, resourceType: ResourceType.GROUP, resourceName: params.group },
]
const cluster = (operation: number) => () => [
  { operation, resourceType: ResourceType.CLUSTER, resourceName: clusterResourceName },
]

/** Per `METHOD url`: the ACLs the call needs, all of them (Kafka's for the same request). */
const routeAcls: Record<string, (params: Params, body: Body) => Need[]> = {
  'GET /api/v1/topics/:topic': topic(AclOperation.DESCRIBE),
  'DELETE /api/v1/topics/:topic': topic(AclOperation.DELETE),
  'PUT /api/v1/topics/:topic/configs': topic(AclOperation.ALTER_CONFIGS),
  'POST /api/v1/topics/:topic/partitions': topic(AclOperation.ALTER),
  'POST /api/v1/topics/:topic/partitions/:partition/delete-records': topic(AclOperation.DELETE),
  'GET /api/v1/topics/:topic/partitions/:partition/messages': topic(AclOperation.READ),
  'POST /api/v1/topics/:topic/messages': topic(AclOperation.WRITE),
  'GET /api/v1/topics/:topic/tail': topic(AclOperation.READ),
  'GET /api/v1/groups/:group': group(AclOperation.DESCRIBE),
  'DELETE /api/v1/groups/:group': group(AclOperation.DELETE),
  'POST /api/v1/groups/:group/offsets/reset': (params, body) => [
    ...group(AclOperation.READ)(params),
    {
      operation: AclOperation.READ,
      resourceType: ResourceType.TOPIC,
      resourceName: String(body?.topic ?? ''),
    },
  ],
  'GET /api/v1/acls': cluster(AclOperation.DESCRIBE),
  'POST /api/v1/acls': cluster(AclOperation.ALTER),
  'POST /api/v1/acls/delete': cluster(AclOperation.ALTER),
  'GET /api/v1/users': cluster(AclOperation.DESCRIBE),
  'PUT /api/v1/users/:user': cluster(AclOperation.ALTER),
  'DELETE /api/v1/users/:user': cluster(AclOperation.ALTER),
  'GET /api/v1/quotas': cluster(AclOperation.DESCRIBE_CONFIGS),
  'POST /api/v1/quotas': cluster(AclOperation.ALTER_CONFIGS),
  'GET /api/v1/broker-configs': cluster(AclOperation.DESCRIBE_CONFIGS),
  'POST /api/v1/broker-configs': cluster(AclOperation.ALTER_CONFIGS),
}

const refusal: Record<number, string> = {
  [ResourceType.TOPIC]: 'TOPIC_AUTHORIZATION_FAILED',
  [ResourceType.GROUP]: 'GROUP_AUTHORIZATION_FAILED',
  [ResourceType.CLUSTER]: 'CLUSTER_AUTHORIZATION_FAILED',
}

/** May the request's principal do this? Always, when the API is open or ACLs are off. */
export function may(request: FastifyRequest, broker: BrokerView, need: Need): boolean {
  const principal = principalOf(request)
  if (principal === undefined || broker.authorizer === undefined) return true
  return broker.authorizer.authorize(
    principal,
    request.ip,
    need.operation,
    need.resourceType,
    need.resourceName,
  )
}

export function mayDescribe(
  request: FastifyRequest,
  broker: BrokerView,
  resourceType: number,
  name: string,
): boolean {
  return may(request, broker, { operation: AclOperation.DESCRIBE, resourceType, resourceName: name })
}

function refuse(request: FastifyRequest, need: Need): ApiError {
  return new ApiError(
    403,
    refusal[need.resourceType] ?? 'AUTHORIZATION_FAILED',
    `${principalOf(request)} may not ${Object.keys(AclOperation).find((name) => AclOperation[name as keyof typeof AclOperation] === need.operation)} ${need.resourceName}`,
  )
}

/** Creating a topic: CREATE on the cluster or on the topic's name (Kafka's CreateTopics rule). */
function checkCreateTopic(request: FastifyRequest, broker: BrokerView): void {
  const name = String((request.body as Body)?.name ?? '')
  const onTopic = { operation: AclOperation.CREATE, resourceType: ResourceType.TOPIC, resourceName: name }
  const onCluster = cluster(AclOperation.CREATE)()[0]
  if (!may(request, broker, onCluster) && !may(request, broker, onTopic)) throw refuse(request, onTopic)
}

/** Answered without a session: the document, whether a login is needed, and the login itself. */
function isOpen(method: string, url: string): boolean {
  return (
    url === '/api/v1/openapi.json' || (url === '/api/v1/session' && (method === 'GET' || method === 'POST'))
  )
}

/** sha256(user, password) → when the pair was verified (a PBKDF2 run per request would cap the API). */
type VerifiedPasswords = Map<string, number>
const verifiedTtlMs = 60_000
const verifiedMax = 1_000

/**
 * The principal of an `Authorization: Basic` header: undefined without one, null when it does not name
 * a broker user with that password. A verified pair is remembered for a minute (the registry's rule).
 */
async function basicPrincipal(
  header: string | undefined,
  broker: BrokerView,
  verified: VerifiedPasswords,
): Promise<string | null | undefined> {
  if (header === undefined || !/^Basic\s/i.test(header)) return undefined
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match === null) return null
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return null
  const user = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  const key = createHash('sha256').update(`${user}\u0000${password}`).digest('base64')
  const now = Date.now()
  const at = verified.get(key)
  if (at !== undefined && now - at < verifiedTtlMs) return `User:${user}`
  if (!(await broker.credentials.verifyPassword(user, password))) {
    verified.delete(key)
    return null
  }
  if (verified.size >= verifiedMax) verified.clear()
  verified.set(key, now)
  return `User:${user}`
}

export function installAuthGuard(
  app: FastifyInstance,
  brokerOf: () => BrokerView | null,
  sessions: SessionStore,
): void {
  const verified: VerifiedPasswords = new Map()
  app.addHook('onRequest', async (request, reply) => {
    const broker = brokerOf()
    if (broker === null || !broker.authentication) return
    if (isOpen(request.method, request.routeOptions.url ?? '')) return
    // Scripts and the CLI send a broker user's password as HTTP basic auth instead of a session
    // (no CSRF token: browsers send basic credentials on their own only after a challenge, and a
    // challenge is answered only to a request that itself tried basic auth).
    const basic = await basicPrincipal(request.headers.authorization, broker, verified)
    if (basic === null) {
      void reply.header('www-authenticate', 'Basic realm="Streamline"')
      throw new ApiError(401, 'SASL_AUTHENTICATION_FAILED', 'invalid user name or password')
    }
    if (basic !== undefined) {
      principals.set(request.raw, basic)
      return
    }
    const session = sessions.find(cookieValue(request.headers.cookie, sessionCookieName))
    if (session === null) throw new ApiError(401, 'UNAUTHENTICATED', 'log in first: POST /api/v1/session')
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers[csrfHeaderName]
      if (typeof sent !== 'string' || !tokensEqual(sent, session.csrfToken)) {
        throw new ApiError(
          403,
          'CSRF_TOKEN_INVALID',
          `a ${request.method} needs the session's ${csrfHeaderName} header`,
        )
      }
    }
    principals.set(request.raw, session.principal)
  })
  app.addHook('preHandler', async (request) => {
    const broker = brokerOf()
    if (broker === null || principalOf(request) === undefined) return
    const key = `${request.method} ${request.routeOptions.url ?? ''}`
    if (key === 'POST /api/v1/topics') {
      checkCreateTopic(request, broker)
      return
    }
    const needs = routeAcls[key]?.(request.params as Params, request.body as Body) ?? []
    for (const need of needs) if (!may(request, broker, need)) throw refuse(request, need)
  })
}
