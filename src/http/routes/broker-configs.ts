// Admin API: broker configs. GET lists this broker's configs (or the cluster-wide dynamic defaults)
// as DescribeConfigs gives them: value (null when sensitive), source, default/sensitive/read-only
// flags, type, documentation and synonyms. POST changes dynamic ones with IncrementalAlterConfigs'
// operations (SET, DELETE, APPEND, SUBTRACT; validateOnly checks only) and answers the configs after.
// Errors are Kafka's: the error name as code and Kafka's message (400 INVALID_CONFIG, INVALID_REQUEST;
// 403 CLUSTER_AUTHORIZATION_FAILED).

import type { BrokerConfigError } from '../../broker/config-admin.ts'
import { type ApiRoutes, type JsonSchema, objectSchema } from '../api-route.ts'
import { principalOf } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

const scopeSchema: JsonSchema = { type: 'string', enum: ['broker', 'cluster'] }

const synonymSchema = objectSchema({
  name: { type: 'string' },
  value: { type: ['string', 'null'] },
  source: { type: 'string' },
})

const configsSchema = objectSchema({
  brokerId: { type: 'integer' },
  scope: scopeSchema,
  configs: {
    type: 'array',
    items: objectSchema({
      name: { type: 'string' },
      value: { type: ['string', 'null'] },
      source: { type: 'string' },
      isDefault: { type: 'boolean' },
      isSensitive: { type: 'boolean' },
      readOnly: { type: 'boolean' },
      type: { type: 'string' },
      documentation: { type: ['string', 'null'] },
      synonyms: { type: 'array', items: synonymSchema },
    }),
  },
})

function apiErrorOf(failure: BrokerConfigError): ApiError {
  const status = failure.errorName.endsWith('_AUTHORIZATION_FAILED') ? 403 : 400
  return new ApiError(status, failure.errorName, failure.errorMessage)
}

type Scope = 'broker' | 'cluster'

export function registerBrokerConfigRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  const describe = async (principal: string | undefined, scope: Scope) => {
    const described = await brokerOf().brokerConfigs.describe(principal, scope)
    if ('errorName' in described) throw apiErrorOf(described)
    return { brokerId: described.brokerId, scope, configs: described.configs }
  }
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/broker-configs',
      summary:
        "This broker's configs (scope=broker) or the cluster-wide dynamic defaults set (scope=cluster), as DescribeConfigs gives them",
      tag: 'cluster',
      querystring: objectSchema({ scope: scopeSchema }),
      responses: { 200: { description: 'Configs sorted by name', schema: configsSchema } },
      errors: [403],
    },
    async (request) => {
      const { scope = 'broker' } = request.query as { scope?: Scope }
      return describe(principalOf(request), scope)
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/broker-configs',
      summary:
        'Change dynamic broker configs (IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT); answers the configs after',
      tag: 'cluster',
      body: objectSchema(
        {
          scope: scopeSchema,
          validateOnly: { type: 'boolean' },
          changes: {
            type: 'array',
            minItems: 1,
            maxItems: 1000,
            items: objectSchema(
              {
                name: { type: 'string', minLength: 1, maxLength: 1024 },
                operation: { type: 'string', enum: ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] },
                value: { type: ['string', 'null'], maxLength: 65536 },
              },
              ['name', 'operation'],
            ),
          },
        },
        ['changes'],
      ),
      responses: { 200: { description: 'The configs after the change', schema: configsSchema } },
      errors: [403],
    },
    async (request) => {
      const body = request.body as {
        scope?: Scope
        validateOnly?: boolean
        changes: {
          name: string
          operation: 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT'
          value?: string | null
        }[]
      }
      const scope = body.scope ?? 'broker'
      const principal = principalOf(request)
      const failed = await brokerOf().brokerConfigs.alter(
        principal,
        scope,
        body.changes.map((change) => ({
          name: change.name,
          operation: change.operation,
          value: change.value ?? null,
        })),
        body.validateOnly === true,
      )
      if (failed !== null) throw apiErrorOf(failed)
      return describe(principal, scope)
    },
  )
}
