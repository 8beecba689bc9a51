// Admin API: ACLs, in Kafka's names (TOPIC, LITERAL, READ, ALLOW) rather than wire codes. List (with an
// optional filter), create one binding, delete the bindings matching a filter — the same store and
// rules as CreateAcls / DescribeAcls / DeleteAcls. Errors: 400 INVALID_REQUEST (Kafka's reasons for
// an invalid binding), 409 SECURITY_DISABLED when the broker runs without `security.authorizer`.

import type { Authorizer } from '../../security/acl/authorizer.ts'
import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  AclPermissionType,
  invalidBindingReason,
  PatternType,
  ResourceType,
} from '../../security/acl/model.ts'
import { type ApiRoutes, type JsonSchema, objectSchema } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { ApiError, invalidRequest } from '../errors.ts'

const names = <T extends Record<string, number>>(table: T) =>
  Object.keys(table).filter((name) => name !== 'UNKNOWN')
const resourceTypes = names(ResourceType)
const patternTypes = names(PatternType)
const operations = names(AclOperation)
const permissions = names(AclPermissionType)

const bindingProperties: Record<string, JsonSchema> = {
  resourceType: { type: 'string', enum: resourceTypes },
  resourceName: { type: 'string', minLength: 1 },
  patternType: { type: 'string', enum: patternTypes },
  principal: { type: 'string', minLength: 1 },
  host: { type: 'string', minLength: 1 },
  operation: { type: 'string', enum: operations },
  permissionType: { type: 'string', enum: permissions },
}
const bindingSchema = objectSchema(bindingProperties, Object.keys(bindingProperties))

type NamedBinding = Record<keyof AclBinding, string>

function nameOf(table: Record<string, number>, code: number): string {
  return Object.entries(table).find(([, value]) => value === code)?.[0] ?? 'UNKNOWN'
}

function namedBinding(binding: AclBinding): NamedBinding {
  return {
    resourceType: nameOf(ResourceType, binding.resourceType),
    resourceName: binding.resourceName,
    patternType: nameOf(PatternType, binding.patternType),
    principal: binding.principal,
    host: binding.host,
    operation: nameOf(AclOperation, binding.operation),
    permissionType: nameOf(AclPermissionType, binding.permissionType),
  }
}

function codeOf(table: Record<string, number>, name: string | undefined, fallback: number): number {
  return name === undefined ? fallback : (table[name] ?? fallback)
}

function filterOf(query: Partial<NamedBinding>): AclBindingFilter {
  return {
    resourceType: codeOf(ResourceType, query.resourceType, ResourceType.ANY),
    resourceName: query.resourceName ?? null,
    patternType: codeOf(PatternType, query.patternType, PatternType.ANY),
    principal: query.principal ?? null,
    host: query.host ?? null,
    operation: codeOf(AclOperation, query.operation, AclOperation.ANY),
    permissionType: codeOf(AclPermissionType, query.permissionType, AclPermissionType.ANY),
  }
}

function authorizerOf(broker: BrokerView): Authorizer {
  if (broker.authorizer === undefined) {
    throw new ApiError(
      409,
      'SECURITY_DISABLED',
      'ACLs are not enforced: start the broker with security.authorizer',
    )
  }
  return broker.authorizer
}

const filterQuery = objectSchema(
  Object.fromEntries(
    Object.entries(bindingProperties).map(([name, schema]) => [name, { ...schema, description: 'Filter' }]),
  ),
)

export function registerAclRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/acls',
      summary: 'List ACL bindings (every field is an optional filter; ANY / MATCH as in DescribeAcls)',
      tag: 'security',
      querystring: filterQuery,
      responses: {
        200: {
          description: 'Bindings, and whether the authorizer is on',
          schema: objectSchema({
            authorizer: { type: 'boolean' },
            acls: { type: 'array', items: bindingSchema },
          }),
        },
      },
    },
    async (request) => {
      const broker = brokerOf()
      if (broker.authorizer === undefined) return { authorizer: false, acls: [] }
      const filter = filterOf(request.query as Partial<NamedBinding>)
      return { authorizer: true, acls: broker.authorizer.acls.matching(filter).map(namedBinding) }
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/acls',
      summary: 'Create an ACL binding (creating an existing one succeeds, as in Kafka)',
      tag: 'security',
      body: bindingSchema,
      responses: { 201: { description: 'Created', schema: bindingSchema } },
      errors: [409],
    },
    async (request, reply) => {
      const authorizer = authorizerOf(brokerOf())
      const named = request.body as NamedBinding
      const binding: AclBinding = {
        resourceType: codeOf(ResourceType, named.resourceType, ResourceType.UNKNOWN),
        resourceName: named.resourceName,
        patternType: codeOf(PatternType, named.patternType, PatternType.UNKNOWN),
        principal: named.principal,
        host: named.host,
        operation: codeOf(AclOperation, named.operation, AclOperation.UNKNOWN),
        permissionType: codeOf(AclPermissionType, named.permissionType, AclPermissionType.UNKNOWN),
      }
      const reason = invalidBindingReason(binding)
      if (reason !== null) throw invalidRequest(reason)
      await authorizer.acls.add([binding])
      void reply.status(201)
      return namedBinding(binding)
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/acls/delete',
      summary: 'Delete every ACL binding matching a filter (fields left out match anything)',
      tag: 'security',
      body: filterQuery,
      responses: {
        200: {
          description: 'The bindings deleted',
          schema: objectSchema({ deleted: { type: 'array', items: bindingSchema } }),
        },
      },
      errors: [409],
    },
    async (request) => {
      const authorizer = authorizerOf(brokerOf())
      const body = request.body as Partial<NamedBinding>
      if (Object.keys(body).length === 0) throw invalidRequest('give at least one filter field')
      const [removed] = await authorizer.acls.remove([filterOf(body)])
      return { deleted: removed.map(namedBinding) }
    },
  )
}
