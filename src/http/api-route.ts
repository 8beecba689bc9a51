// One table of the admin API's routes: each route's JSON schemas validate requests (fastify/ajv) and
// the same specs produce the OpenAPI document (openapi.ts), so the document cannot drift from the API.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export type JsonSchema = Record<string, unknown>

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** fastify syntax: `/api/v1/topics/:topic`. */
  url: string
  summary: string
  tag: string
  params?: JsonSchema
  querystring?: JsonSchema
  body?: JsonSchema
  /** Successful responses (errors are added to every route as the Error schema). */
  responses: Record<number, { description: string; schema?: JsonSchema }>
  /** Error statuses this route may answer with, beyond 400/500/503. */
  errors?: readonly number[]
}

export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

export class ApiRoutes {
  readonly specs: RouteSpec[] = []

  constructor(private readonly app: FastifyInstance) {}

  /** Records a route registered elsewhere (the WebSocket tail) in the OpenAPI document. */
  document(spec: RouteSpec): void {
    this.specs.push(spec)
  }

  add(spec: RouteSpec, handler: RouteHandler): void {
    this.specs.push(spec)
    const schema: Record<string, JsonSchema> = {}
    if (spec.params !== undefined) schema.params = spec.params
    if (spec.querystring !== undefined) schema.querystring = spec.querystring
    if (spec.body !== undefined) schema.body = spec.body
    this.app.route({ method: spec.method, url: spec.url, schema, handler })
  }
}

export const topicNameParam: JsonSchema = { type: 'string', minLength: 1, maxLength: 249 }

export function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false }
}
