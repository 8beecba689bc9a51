// Admin API: client quotas (the same store as DescribeClientQuotas / AlterClientQuotas). An entity is a
// user, a client id, or both; a null name is Kafka's default entity (`<default>`). Values in Kafka's
// keys: producer_byte_rate, consumer_byte_rate (bytes/s), request_percentage, controller_mutation_rate.
// Errors: 400 INVALID_REQUEST with Kafka's messages (unknown key, fractional byte rate, empty entity).

import { type EntityPart, entityOfParts, isQuotaError, type QuotaEntity } from '../../quotas/quota-entity.ts'
import { type QuotaKey, type QuotaValues, quotaKeyNames, quotaValueProblem } from '../../quotas/quota-keys.ts'
import { type ApiRoutes, type JsonSchema, objectSchema } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { invalidRequest } from '../errors.ts'

const entityName: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 1024 }
const entitySchema = objectSchema({ user: entityName, clientId: entityName })
const valuesSchema: JsonSchema = {
  type: 'object',
  additionalProperties: { type: ['number', 'null'] },
  description: 'Quota keys to set (a number) or remove (null)',
}

function entityOf(body: { user?: string | null; clientId?: string | null }): QuotaEntity {
  const parts: EntityPart[] = []
  if (body.user !== undefined) parts.push({ entityType: 'user', entityName: body.user })
  if (body.clientId !== undefined) parts.push({ entityType: 'client-id', entityName: body.clientId })
  const entity = entityOfParts(parts)
  if (isQuotaError(entity)) throw invalidRequest(entity.errorMessage)
  return entity
}

export function registerQuotaRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/quotas',
      summary: 'List client quotas: entity (user and/or clientId; null = the default entity) and values',
      tag: 'security',
      responses: {
        200: {
          description: 'Every entity with quotas',
          schema: objectSchema({
            keys: { type: 'array', items: { type: 'string' } },
            quotas: {
              type: 'array',
              items: objectSchema({ entity: entitySchema, values: { type: 'object' } }),
            },
          }),
        },
      },
    },
    async () => ({
      keys: [...quotaKeyNames],
      quotas: [...brokerOf().quotas.all()].map(({ entity, values }) => ({ entity, values })),
    }),
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/quotas',
      summary: "Set or remove quota values of one entity (AlterClientQuotas' rules)",
      tag: 'security',
      body: objectSchema({ entity: entitySchema, values: valuesSchema }, ['entity', 'values']),
      responses: {
        200: {
          description: "The entity's values now",
          schema: objectSchema({ entity: entitySchema, values: { type: 'object' } }),
        },
      },
    },
    async (request) => {
      const body = request.body as {
        entity: { user?: string | null; clientId?: string | null }
        values: Record<string, number | null>
      }
      const entity = entityOf(body.entity)
      const set: QuotaValues = {}
      const remove: QuotaKey[] = []
      for (const [key, value] of Object.entries(body.values)) {
        const problem = quotaValueProblem(key, value ?? 0)
        if (problem !== null) throw invalidRequest(problem)
        if (value === null) remove.push(key as QuotaKey)
        else set[key as QuotaKey] = value
      }
      const store = brokerOf().quotas
      await store.apply([{ entity, set, remove }])
      return { entity, values: store.valuesOf(entity) ?? {} }
    },
  )
}
