// The OpenAPI 3.1 document of the admin API, built from the route table (api-route.ts).

import type { JsonSchema, RouteSpec } from './api-route.ts'

const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    code: {
      type: 'string',
      description: "Kafka's error name (UNKNOWN_TOPIC_OR_PARTITION, …) or an API code",
    },
    message: { type: 'string' },
  },
  required: ['code', 'message'],
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (INVALID_REQUEST, or a Kafka error such as INVALID_CONFIG)',
  401: 'Not logged in (UNAUTHENTICATED) or a wrong password (SASL_AUTHENTICATION_FAILED)',
  403: 'Refused (TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED, CSRF_TOKEN_INVALID, SQL_ACCESS_DENIED)',
  404: 'Unknown topic, partition or group',
  408: 'Time limit reached (QUERY_TIMEOUT)',
  409: 'Conflict (TOPIC_ALREADY_EXISTS, NON_EMPTY_GROUP)',
  413: 'Too large (MESSAGE_TOO_LARGE, QUERY_MEMORY_LIMIT, QUERY_SCAN_LIMIT)',
  429: 'Too many requests (TOO_MANY_QUERIES)',
  500: 'Internal or storage error',
  503: 'Broker not ready or shutting down (NOT_READY)',
}

function parametersOf(spec: RouteSpec): JsonSchema[] {
  const parameters: JsonSchema[] = []
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.querystring],
  ] as const) {
    const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>
    const required = (schema?.required ?? []) as string[]
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.includes(name),
        schema: property,
      })
    }
  }
  return parameters
}

function operationOf(spec: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {}
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema === undefined
        ? {}
        : { content: { 'application/json': { schema: response.schema } } }),
    }
  }
  for (const status of [400, ...(spec.errors ?? []), 500, 503]) {
    responses[String(status)] = {
      description: errorDescriptions[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    }
  }
  return {
    summary: spec.summary,
    tags: [spec.tag],
    parameters: parametersOf(spec),
    ...(spec.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } }),
    responses,
  }
}

export function openApiDocument(specs: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const spec of specs) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}')
    paths[path] ??= {}
    paths[path][spec.method.toLowerCase()] = operationOf(spec)
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Streamline admin API', version },
    paths,
    components: { schemas: { Error: errorSchema } },
  }
}
