// Console login: POST /api/v1/session checks a broker user's password (the SCRAM credentials the Kafka
// listeners use) and sets the session cookie (HttpOnly, SameSite=Strict, Path=/; Secure when the
// request came over TLS); GET /api/v1/session says whether login is required and who is logged in, with
// the CSRF token the console sends on writes; DELETE /api/v1/session logs out. docs/console.md.

import type { FastifyReply, FastifyRequest } from 'fastify'
import { type ApiRoutes, objectSchema } from '../api-route.ts'
import { cookieValue, type SessionStore, sessionCookieName } from '../auth/sessions.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

const sessionSchema = objectSchema({
  authentication: { type: 'boolean', description: 'True when the broker has users: the API needs a login' },
  principal: { type: ['string', 'null'] },
  csrfToken: { type: ['string', 'null'], description: 'Send it as x-csrf-token on POST, PUT, PATCH, DELETE' },
})

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = 'encrypted' in request.raw.socket ? '; Secure' : ''
  return `${sessionCookieName}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`
}

/** A failed login waits this long, so guessing passwords over HTTP is as slow as over SASL. */
const failedLoginDelayMs = 500

export function registerSessionRoutes(
  routes: ApiRoutes,
  brokerOf: () => BrokerView,
  sessions: SessionStore,
): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/session',
      summary: 'Whether a login is required, and who is logged in',
      tag: 'session',
      responses: { 200: { description: 'The session', schema: sessionSchema } },
    },
    async (request) => {
      const broker = brokerOf()
      const session = sessions.find(cookieValue(request.headers.cookie, sessionCookieName))
      return {
        authentication: broker.authentication,
        principal: broker.authentication ? (session?.principal ?? null) : null,
        csrfToken: broker.authentication ? (session?.csrfToken ?? null) : null,
      }
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/session',
      summary: "Log in with a broker user's name and password (SCRAM credentials); sets the session cookie",
      tag: 'session',
      body: objectSchema(
        {
          username: { type: 'string', minLength: 1, maxLength: 256 },
          password: { type: 'string', maxLength: 1024 },
        },
        ['username', 'password'],
      ),
      responses: { 200: { description: 'Logged in', schema: sessionSchema } },
      errors: [401, 404],
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const broker = brokerOf()
      if (!broker.authentication) {
        throw new ApiError(404, 'AUTHENTICATION_DISABLED', 'this broker has no users: the API is open')
      }
      const { username, password } = request.body as { username: string; password: string }
      if (!(await broker.credentials.verifyPassword(username, password))) {
        await new Promise((resolve) => setTimeout(resolve, failedLoginDelayMs))
        throw new ApiError(401, 'SASL_AUTHENTICATION_FAILED', 'invalid user name or password')
      }
      const session = sessions.create(`User:${username}`)
      void reply.header('set-cookie', cookie(request, session.id, 12 * 60 * 60))
      return { authentication: true, principal: session.principal, csrfToken: session.csrfToken }
    },
  )
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/session',
      summary: 'Log out (the session ends; the cookie is cleared)',
      tag: 'session',
      responses: { 204: { description: 'Logged out' } },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const id = cookieValue(request.headers.cookie, sessionCookieName)
      if (id !== undefined) sessions.delete(id)
      void reply.header('set-cookie', cookie(request, '', 0))
      return reply.status(204).send()
    },
  )
}
