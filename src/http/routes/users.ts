// Admin API: SCRAM users (the same store as DescribeUserScramCredentials / AlterUserScramCredentials).
// List users and their mechanisms; set a password (creates the user or changes its password); delete
// a user's credentials. Passwords are never stored or answered: only salted keys (RFC 5802).
// Errors: 400 INVALID_REQUEST; 404 for an unknown user on delete.

import {
  credentialFromPassword,
  type ScramMechanism,
  scramIterationsMin,
  scramMechanisms,
} from '../../security/scram.ts'
import { type ApiRoutes, objectSchema } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

const userParams = objectSchema({ user: { type: 'string', minLength: 1, maxLength: 256 } }, ['user'])

export function registerUserRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/users',
      summary: 'List SCRAM users and their mechanisms',
      tag: 'security',
      responses: {
        200: {
          description: 'Users by name',
          schema: objectSchema({
            users: {
              type: 'array',
              items: objectSchema({
                name: { type: 'string' },
                mechanisms: { type: 'array', items: { type: 'string' } },
              }),
            },
          }),
        },
      },
    },
    async () => {
      const { credentials } = brokerOf()
      return {
        users: credentials.users().map((name) => ({
          name,
          mechanisms: scramMechanisms.filter((mechanism) => credentials.scramCredential(name, mechanism)),
        })),
      }
    },
  )
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/users/:user',
      summary: "Create a SCRAM user or change its password (a new salt; 4096 iterations, Kafka's default)",
      tag: 'security',
      params: userParams,
      body: objectSchema(
        {
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          mechanism: { type: 'string', enum: [...scramMechanisms], default: 'SCRAM-SHA-256' },
        },
        ['password'],
      ),
      responses: {
        200: {
          description: 'The user',
          schema: objectSchema({ name: { type: 'string' }, mechanism: { type: 'string' } }),
        },
      },
    },
    async (request) => {
      const { user } = request.params as { user: string }
      const { password, mechanism } = request.body as { password: string; mechanism: ScramMechanism }
      const credential = await credentialFromPassword(mechanism, password, scramIterationsMin)
      await brokerOf().credentials.apply([{ user, mechanism, credential }])
      return { name: user, mechanism }
    },
  )
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/users/:user',
      summary: "Delete a user's SCRAM credentials (every mechanism)",
      tag: 'security',
      params: userParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404],
    },
    async (request, reply) => {
      const { user } = request.params as { user: string }
      const { credentials } = brokerOf()
      const held = scramMechanisms.filter((mechanism) => credentials.scramCredential(user, mechanism))
      if (held.length === 0)
        throw new ApiError(404, 'RESOURCE_NOT_FOUND', `user ${user} has no SCRAM credentials`)
      await credentials.apply(held.map((mechanism) => ({ user, mechanism, credential: null })))
      return reply.status(204).send()
    },
  )
}
