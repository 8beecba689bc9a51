// Admin API: browse a partition's messages from an offset or a timestamp, and produce messages.

import type { RecordInput } from '../../protocol/records/record.ts'
import type { PartitionLog } from '../../storage/types.ts'
import { type ApiRoutes, type JsonSchema, objectSchema, topicNameParam } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { invalidRequest, notFound } from '../errors.ts'
import { bytesOfInput, partitionForKey } from '../message-codec.ts'
import { type FilterMode, filterLengthMax, recordPredicate } from '../message-filter.ts'
import { appendRecords, offsetForTimestamp, readRecords, viewOf } from '../messages.ts'
import type { SchemaEncoder } from '../schema-encode.ts'
import { topicOrFail } from './topics.ts'

/** Messages one browse request returns at most. */
export const browseLimitMax = 1000
/** A filtered browse stops scanning after this long and answers where to continue (nextOffset). */
export const filteredBrowseMs = 2000

const encodedBytes: JsonSchema = {
  type: ['object', 'null'],
  properties: {
    encoding: { type: 'string', enum: ['json', 'text', 'base64'] },
    data: {},
    schema: {
      type: 'object',
      description:
        'With decode=registry, for Confluent wire-format bytes: the schema id, type, record name, and the error when it did not decode',
      properties: {
        id: { type: 'integer' },
        type: { type: ['string', 'null'] },
        name: { type: ['string', 'null'] },
        error: { type: 'string' },
      },
    },
  },
}

const messageView = objectSchema({
  partition: { type: 'integer' },
  offset: { type: 'integer' },
  timestamp: { type: 'integer' },
  key: encodedBytes,
  value: encodedBytes,
  headers: { type: 'array', items: objectSchema({ key: { type: 'string' }, value: encodedBytes }) },
})

const messageInput = objectSchema({
  partition: { type: 'integer', minimum: 0 },
  key: {},
  value: {},
  headers: {
    description:
      'An object of name → value, or (for repeated names, order kept) an array of {key, value}; values are text or base64 (headerEncoding)',
    anyOf: [
      { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      {
        type: 'array',
        maxItems: 10000,
        items: objectSchema({ key: { type: 'string' }, value: { type: ['string', 'null'] } }, ['key']),
      },
    ],
  },
  timestamp: { type: 'integer', minimum: 0 },
})

type HeaderInput = Record<string, string | null> | Array<{ key: string; value?: string | null }>

interface MessageInput {
  partition?: number
  key?: unknown
  value?: unknown
  headers?: HeaderInput
  timestamp?: number
}

type FieldEncoding = 'text' | 'base64'

function headersOf(input: HeaderInput | undefined, encoding: FieldEncoding): RecordInput['headers'] {
  const pairs = Array.isArray(input)
    ? input.map((header) => [header.key, header.value ?? null] as const)
    : Object.entries(input ?? {})
  return pairs.map(([key, value]) => ({
    key,
    value: value === null ? null : Buffer.from(value, encoding === 'base64' ? 'base64' : 'utf8'),
  }))
}

/** A key or value as bytes: through the registry when the request names a schema id for it. */
async function fieldBytes(
  value: unknown,
  encoding: FieldEncoding,
  schemaId: number | undefined,
  encoder: () => Promise<SchemaEncoder>,
  what: string,
): Promise<Buffer | null> {
  if (schemaId === undefined || value === null || value === undefined) return bytesOfInput(value, encoding)
  return (await encoder()).encode(schemaId, value, what)
}

function partitionLogOrFail(broker: BrokerView, topic: string, partition: number): PartitionLog {
  topicOrFail(broker, topic)
  const log = broker.logs.partition(topic, partition)
  if (log === undefined) throw notFound(`partition ${topic}-${partition}`)
  return log
}

export function registerMessageRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/topics/:topic/partitions/:partition/messages',
      summary:
        'Browse messages of a partition from an offset (default: the log start) or a timestamp, optionally filtered',
      tag: 'messages',
      params: objectSchema({ topic: topicNameParam, partition: { type: 'integer', minimum: 0 } }, [
        'topic',
        'partition',
      ]),
      querystring: objectSchema({
        offset: { type: 'integer', minimum: 0 },
        timestamp: { type: 'integer', minimum: 0, description: 'ms since the epoch' },
        limit: { type: 'integer', minimum: 1, maximum: browseLimitMax, default: 100 },
        encoding: { type: 'string', enum: ['auto', 'base64'], default: 'auto' },
        filter: {
          type: 'string',
          minLength: 1,
          maxLength: filterLengthMax,
          description: 'Only messages whose key, value or a header key/value contains it (or matches it)',
        },
        filterMode: { type: 'string', enum: ['text', 'regex'], default: 'text' },
        decode: {
          type: 'string',
          enum: ['none', 'registry'],
          default: 'none',
          description:
            'registry: keys and values in Confluent wire format decoded through the schema registry',
        },
      }),
      responses: {
        200: {
          description: 'Messages and the offset to continue from',
          schema: objectSchema({
            topic: { type: 'string' },
            partition: { type: 'integer' },
            nextOffset: { type: 'integer' },
            highWatermark: { type: 'integer' },
            logStartOffset: { type: 'integer' },
            messages: { type: 'array', items: messageView },
          }),
        },
      },
      errors: [404],
    },
    async (request) => {
      const { topic, partition } = request.params as { topic: string; partition: number }
      const query = request.query as {
        offset?: number
        timestamp?: number
        limit: number
        encoding: 'auto' | 'base64'
        filter?: string
        filterMode: FilterMode
        decode: 'none' | 'registry'
      }
      if (query.offset !== undefined && query.timestamp !== undefined) {
        throw invalidRequest('give offset or timestamp, not both')
      }
      const log = partitionLogOrFail(brokerOf(), topic, partition)
      const start =
        query.timestamp !== undefined
          ? await offsetForTimestamp(log, query.timestamp)
          : (query.offset ?? log.logStartOffset)
      const { records, nextOffset } = await readRecords(log, start, {
        limit: query.limit,
        skipBeforeTimestampMs: query.timestamp,
        ...(query.filter === undefined
          ? {}
          : {
              matches: recordPredicate(query.filter, query.filterMode),
              deadlineMs: performance.now() + filteredBrowseMs,
            }),
      })
      const messages = records.map((record) => viewOf(partition, record, query.encoding))
      if (query.decode === 'registry') {
        const { SchemaDecoder } = await import('../schema-decode.ts')
        const decoder = new SchemaDecoder(brokerOf().registry)
        for (const [index, record] of records.entries()) {
          messages[index].key = await decoder.decode(record.key, messages[index].key)
          messages[index].value = await decoder.decode(record.value, messages[index].value)
        }
      }
      return {
        topic,
        partition,
        nextOffset,
        highWatermark: log.highWatermark,
        logStartOffset: log.logStartOffset,
        messages,
      }
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/topics/:topic/messages',
      summary:
        'Produce messages (acks=all). A message without a partition goes by its key (murmur2, as Kafka clients) or round-robin.',
      tag: 'messages',
      params: objectSchema({ topic: topicNameParam }, ['topic']),
      body: objectSchema(
        {
          messages: { type: 'array', minItems: 1, maxItems: 10000, items: messageInput },
          keyEncoding: { type: 'string', enum: ['text', 'base64'], default: 'text' },
          valueEncoding: { type: 'string', enum: ['text', 'base64'], default: 'text' },
          headerEncoding: { type: 'string', enum: ['text', 'base64'], default: 'text' },
          keySchemaId: {
            type: 'integer',
            minimum: 0,
            description:
              "Serialize each key (a JSON document) with this registered schema in Confluent's wire format",
          },
          valueSchemaId: {
            type: 'integer',
            minimum: 0,
            description:
              "Serialize each value (a JSON document) with this registered schema in Confluent's wire format",
          },
        },
        ['messages'],
      ),
      responses: {
        200: {
          description: 'Where each message was written, in request order',
          schema: objectSchema({
            topic: { type: 'string' },
            offsets: {
              type: 'array',
              items: objectSchema({ partition: { type: 'integer' }, offset: { type: 'integer' } }),
            },
          }),
        },
      },
      errors: [404, 413],
    },
    async (request) => {
      const { topic: name } = request.params as { topic: string }
      const body = request.body as {
        messages: MessageInput[]
        keyEncoding: FieldEncoding
        valueEncoding: FieldEncoding
        headerEncoding: FieldEncoding
        keySchemaId?: number
        valueSchemaId?: number
      }
      const broker = brokerOf()
      const topic = topicOrFail(broker, name)
      const byPartition = new Map<number, { indexes: number[]; records: RecordInput[] }>()
      const now = Date.now()
      let schemaEncoder: Promise<SchemaEncoder> | undefined
      const encoder = (): Promise<SchemaEncoder> => {
        schemaEncoder ??= import('../schema-encode.ts').then(
          ({ SchemaEncoder }) => new SchemaEncoder(broker.registry),
        )
        return schemaEncoder
      }
      for (const [index, message] of body.messages.entries()) {
        const key = await fieldBytes(message.key, body.keyEncoding, body.keySchemaId, encoder, 'key')
        const value = await fieldBytes(
          message.value,
          body.valueEncoding,
          body.valueSchemaId,
          encoder,
          'value',
        )
        const partition =
          message.partition ??
          (key === null ? index % topic.partitionCount : partitionForKey(key, topic.partitionCount))
        if (partition >= topic.partitionCount) throw notFound(`partition ${name}-${partition}`)
        const group = byPartition.get(partition) ?? { indexes: [], records: [] }
        byPartition.set(partition, group)
        group.indexes.push(index)
        group.records.push({
          timestamp: message.timestamp ?? now,
          key,
          value,
          headers: headersOf(message.headers, body.headerEncoding),
        })
      }
      const offsets: Array<{ partition: number; offset: number }> = new Array(body.messages.length)
      for (const [partition, group] of byPartition) {
        const log = partitionLogOrFail(broker, name, partition)
        const baseOffset = await appendRecords(log, topic, group.records)
        group.indexes.forEach((messageIndex, position) => {
          offsets[messageIndex] = { partition, offset: baseOffset + position }
        })
      }
      return { topic: name, offsets }
    },
  )
}
