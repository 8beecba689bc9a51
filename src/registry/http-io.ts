// Reading requests and writing answers the way Confluent's registry does: JSON bodies of at most
// requestBodyBytesMax, the content types it accepts, error bodies {"error_code", "message"}.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { badRequest, RegistryError } from './errors.ts'

/** Largest request body accepted (a schema with its metadata); larger bodies get 413. */
export const requestBodyBytesMax = 16 * 1024 * 1024

export const responseContentType = 'application/vnd.schemaregistry.v1+json'

const acceptedContentTypes = new Set([
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
])

/** The request's JSON body; undefined when it has none. Throws RegistryError 400/413/415. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return parseJsonBody(await readBodyText(request))
}

/** A body text read by readBodyText as JSON; undefined for none. Throws RegistryError 400. */
export function parseJsonBody(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw badRequest(400, `Unexpected character in JSON body: ${(error as Error).message}`)
  }
}

/** The request's body text (UTF-8), undefined when it has none. Throws RegistryError 413/415. */
export function readBodyText(request: IncomingMessage): Promise<string | undefined> {
  const declared = Number(request.headers['content-length'] ?? '0')
  if (declared > requestBodyBytesMax) {
    request.resume()
    return Promise.reject(badRequest(413, `Request body larger than ${requestBodyBytesMax} bytes`))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    request.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > requestBodyBytesMax) {
        refused = true
        reject(badRequest(413, `Request body larger than ${requestBodyBytesMax} bytes`))
        return
      }
      chunks.push(chunk)
    })
    request.on('error', (error) => {
      if (!refused) reject(error)
      refused = true
    })
    request.on('end', () => {
      if (refused) return
      if (size === 0) {
        resolve(undefined)
        return
      }
      try {
        checkContentType(request.headers['content-type'])
      } catch (error) {
        reject(error)
        return
      }
      resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'))
    })
  })
}

/** A body's text read without node:http (fast-path.ts), checked as readBodyText checks it. */
export function checkedBodyText(text: string, contentType: string | undefined): string | undefined {
  if (text.length === 0) return undefined
  checkContentType(contentType)
  return text
}

/** Throws 415 for a body whose content type Confluent's registry refuses (none: JSON). */
function checkContentType(header: string | undefined): void {
  const contentType = (header ?? 'application/json').split(';')[0].trim().toLowerCase()
  if (!acceptedContentTypes.has(contentType))
    throw badRequest(415, `HTTP 415 Unsupported Media Type: ${contentType}`)
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendText(response, status, JSON.stringify(body))
}

/** An answer already serialized (JSON, or a raw schema text). */
export function sendText(response: ServerResponse, status: number, text: string | Buffer): void {
  response.writeHead(status, {
    'content-type': responseContentType,
    'content-length': typeof text === 'string' ? Buffer.byteLength(text) : text.length,
  })
  response.end(text)
}

export function sendError(response: ServerResponse, error: RegistryError): void {
  sendJson(response, error.status, { error_code: error.errorCode, message: error.message })
}

/** The object body of a POST/PUT with only `allowed` fields. Throws 422 for anything else. */
export function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RegistryError(422, 422, 'Request body must be a JSON object')
  }
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw new RegistryError(422, 422, `Unrecognized field: ${field}`)
  }
  return body as Record<string, unknown>
}
