// REST plumbing: a route's answer, Kafka Connect's error body, and reading a JSON body (bounded).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { RestError } from '../runtime/herder.ts'

export interface Answer {
  status: number
  body?: unknown
}

/** Largest request body accepted (a connector config is a few KiB). */
export const requestBodyBytesMax = 1024 * 1024

export function send(response: ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    response.writeHead(answer.status)
    response.end()
    return
  }
  const text = JSON.stringify(answer.body)
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  response.end(text)
}

/** Kafka's ErrorMessage: {"error_code": <status>, "message": "..."}. */
export function errorAnswer(status: number, message: string): Answer {
  return { status, body: { error_code: status, message } }
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return parseJsonBody(await readRawBody(request))
}

/** The request body, bounded by requestBodyBytesMax (kept as bytes so a forwarded request sends them). */
export async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > requestBodyBytesMax)
      throw new RestError(413, `Request body larger than ${requestBodyBytesMax} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export function parseJsonBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8')
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new RestError(400, `Cannot deserialize request body: ${(error as Error).message}`)
  }
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RestError(400, 'Request body must be a JSON object')
  return body as Record<string, unknown>
}

/** A JSON object of string values (connector configs); numbers and booleans are taken as their text. */
export function propertiesBody(
  body: unknown,
  options: { allowNull: boolean },
): Record<string, string | null> {
  const object = objectBody(body)
  const out: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(object)) {
    if (value === null && options.allowNull) out[key] = null
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = String(value)
    else throw new RestError(400, `Config value for ${key} must be a string`)
  }
  return out
}
