// The schema registry as Confluent's serializers reach it: over its REST API at
// `schema.registry.url` (so a worker against another cluster uses that cluster's registry), with
// HTTP basic auth from `basic.auth.user.info` when `basic.auth.credentials.source=USER_INFO`. Ids and
// schemas are cached (an id's schema never changes); every request is bounded.
// The Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the payload.

import type { Properties } from '../sdk/config-def.ts'
import { DataException } from './converter.ts'

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON'

const requestTimeoutMs = 30_000
const cacheMax = 1_000

export class RegistryClient {
  private readonly baseUrl: string
  private readonly authorization: string | null
  private readonly idsBySchema = new Map<string, Promise<number>>()
  private readonly schemasById = new Map<number, Promise<{ schema: string; schemaType: SchemaType }>>()

  constructor(properties: Properties) {
    const url = properties['schema.registry.url']
    if (url === undefined || url.trim() === '')
      throw new DataException(
        'Missing required configuration "schema.registry.url" which has no default value.',
      )
    // Confluent accepts a comma-separated list; the first is used.
    this.baseUrl = (url.split(',')[0] ?? '').trim().replace(/\/+$/, '')
    const userInfo = properties['basic.auth.user.info'] ?? properties['schema.registry.basic.auth.user.info']
    this.authorization =
      properties['basic.auth.credentials.source'] === 'USER_INFO' && userInfo !== undefined
        ? `Basic ${Buffer.from(userInfo).toString('base64')}`
        : null
  }

  /** Registers (or finds) `schema` under `subject`; answers its id. */
  register(subject: string, schema: string, schemaType: SchemaType): Promise<number> {
    const key = `${subject}\u0000${schemaType}\u0000${schema}`
    let found = this.idsBySchema.get(key)
    if (found === undefined) {
      if (this.idsBySchema.size >= cacheMax) this.idsBySchema.clear()
      found = this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
        schema,
        ...(schemaType === 'AVRO' ? {} : { schemaType }),
      }).then((body) => Number((body as { id: number }).id))
      this.idsBySchema.set(key, found)
      found.catch(() => this.idsBySchema.delete(key))
    }
    return found
  }

  /** The id of the latest version of `subject` (auto.register.schemas=false). */
  async latestId(subject: string): Promise<number> {
    const body = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)
    return Number((body as { id: number }).id)
  }

  /** The schema registered under `id`. */
  schemaById(id: number): Promise<{ schema: string; schemaType: SchemaType }> {
    let found = this.schemasById.get(id)
    if (found === undefined) {
      if (this.schemasById.size >= cacheMax) this.schemasById.clear()
      found = this.request('GET', `/schemas/ids/${id}`).then((body) => {
        const answer = body as { schema: string; schemaType?: SchemaType }
        return { schema: answer.schema, schemaType: answer.schemaType ?? 'AVRO' }
      })
      this.schemasById.set(id, found)
      found.catch(() => this.schemasById.delete(id))
    }
    return found
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/vnd.schemaregistry.v1+json' }
    if (body !== undefined) headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json'
    if (this.authorization !== null) headers.Authorization = this.authorization
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      })
    } catch (error) {
      throw new DataException(`Schema registry ${this.baseUrl} unreachable: ${(error as Error).message}`)
    }
    const text = await response.text()
    if (!response.ok)
      throw new DataException(`Schema registry ${method} ${path} answered ${response.status}: ${text}`)
    return JSON.parse(text) as unknown
  }
}

/** Confluent's wire format: 0, the schema id, the payload. */
export function wireFormat(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeUInt8(0, 0)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, payload])
}

/** Splits the wire format; bytes without it are refused (Confluent's "Unknown magic byte!"). */
export function readWireFormat(bytes: Buffer): { id: number; payload: Buffer } {
  if (bytes.length < 5 || bytes[0] !== 0) throw new DataException('Unknown magic byte!')
  return { id: bytes.readInt32BE(1), payload: bytes.subarray(5) }
}

/** Confluent's TopicNameStrategy: `<topic>-key` / `<topic>-value`. */
export function subjectOf(topic: string, isKey: boolean): string {
  return `${topic}-${isKey ? 'key' : 'value'}`
}
