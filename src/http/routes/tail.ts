// WebSocket tail of a topic: GET /api/v1/topics/:topic/tail upgrades to a WebSocket that receives each
// new message as one JSON text frame (the browse API's message form plus `topic`). Query: `partition`
// (default all), `from` = latest (default) | earliest | an offset, `encoding` = auto | base64, `decode` =
// none | registry (Confluent wire-format keys and values decoded through the schema registry, as browsing).
// Bounded: at most tailsMax tails per broker (more are closed with 1013); a client that does not read
// (more than tailBufferedBytesMax unsent) is closed with 1008.

import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import { KafkaError } from '../../errors.ts'
import { errorName } from '../../protocol/generated/error-codes.ts'
import type { RegistryRuntime } from '../../registry/runtime.ts'
import type { PartitionLog } from '../../storage/types.ts'
import { type ApiRoutes, objectSchema, topicNameParam } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'
import { readRecords, viewOf } from '../messages.ts'

/** Concurrent WebSocket tails per broker. Default 100: each holds an append listener per partition. */
export const tailsMax = 100
/** Bytes queued on one tail socket before it is closed as too slow. Default 8 MiB. */
export const tailBufferedBytesMax = 8 * 1024 * 1024
/** How long one wait for new data lasts before the loop checks the socket again. */
const tailWaitMs = 10_000
const tailBatchRecords = 500

interface TailQuery {
  partition?: number
  from: string
  encoding: 'auto' | 'base64'
  decode: 'none' | 'registry'
}

const tailQuery = objectSchema({
  partition: { type: 'integer', minimum: 0 },
  from: { type: 'string', pattern: '^(latest|earliest|[0-9]+)$', default: 'latest' },
  encoding: { type: 'string', enum: ['auto', 'base64'], default: 'auto' },
  decode: { type: 'string', enum: ['none', 'registry'], default: 'none' },
})

function startOffset(log: PartitionLog, from: string): number {
  if (from === 'earliest') return log.logStartOffset
  if (from === 'latest') return log.highWatermark
  return Number(from)
}

async function tailPartition(
  socket: WebSocket,
  log: PartitionLog,
  options: {
    from: string
    encoding: 'auto' | 'base64'
    signal: AbortSignal
    registry: RegistryRuntime | null
  },
): Promise<void> {
  let position = startOffset(log, options.from)
  while (!options.signal.aborted) {
    if (position >= log.highWatermark) {
      await log.waitForAppend(position, { timeoutMs: tailWaitMs, signal: options.signal })
      continue
    }
    const { records, nextOffset } = await readRecords(log, position, { limit: tailBatchRecords })
    // A decoder per batch: it re-reads the registry's store once when an id is new (a schema registered
    // after the tail started).
    const decoder =
      options.registry === null
        ? null
        : new (await import('../schema-decode.ts')).SchemaDecoder(options.registry)
    for (const record of records) {
      if (options.signal.aborted) return
      const view = viewOf(log.partition, record, options.encoding)
      if (decoder !== null) {
        view.key = await decoder.decode(record.key, view.key)
        view.value = await decoder.decode(record.value, view.value)
      }
      socket.send(JSON.stringify({ topic: log.topic, ...view }))
    }
    if (socket.bufferedAmount > tailBufferedBytesMax) {
      socket.close(1008, 'client too slow')
      return
    }
    position = Math.max(nextOffset, position + (records.length === 0 ? 1 : 0))
  }
}

function errorBody(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message }
  if (error instanceof KafkaError) return { code: errorName(error.errorCode), message: error.message }
  return { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error) }
}

export function registerTailRoute(
  app: FastifyInstance,
  routes: ApiRoutes,
  brokerOf: () => BrokerView | null,
): void {
  const url = '/api/v1/topics/:topic/tail'
  const params = objectSchema({ topic: topicNameParam }, ['topic'])
  routes.document({
    method: 'GET',
    url,
    summary: 'WebSocket: receive new messages of a topic as JSON text frames',
    tag: 'messages',
    params,
    querystring: tailQuery,
    responses: { 101: { description: 'Switching to the WebSocket protocol' } },
    errors: [404],
  })
  let tails = 0
  app.get(url, { websocket: true, schema: { params, querystring: tailQuery } }, (socket, request) => {
    const broker = brokerOf()
    const { topic: name } = request.params as { topic: string }
    const query = request.query as TailQuery
    const topic = broker?.logs.getTopic(name)
    const fail = (code: number, body: { code: string; message: string }): void => {
      socket.send(JSON.stringify({ error: body }))
      socket.close(code, body.code)
    }
    if (broker === null || broker === undefined)
      return fail(1013, { code: 'NOT_READY', message: 'broker starting' })
    if (topic === undefined)
      return fail(1008, { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `topic ${name} does not exist` })
    if (tails >= tailsMax) return fail(1013, { code: 'TOO_MANY_TAILS', message: `at most ${tailsMax} tails` })
    const partitions =
      query.partition === undefined ? [...Array(topic.partitionCount).keys()] : [query.partition]
    const logs = partitions.map((partition) => broker.logs.partition(name, partition))
    if (logs.some((log) => log === undefined)) {
      return fail(1008, {
        code: 'UNKNOWN_TOPIC_OR_PARTITION',
        message: `partition ${name}-${query.partition} does not exist`,
      })
    }
    tails += 1
    const abort = new AbortController()
    socket.on('close', () => abort.abort())
    const running = logs.map((log) =>
      tailPartition(socket, log as PartitionLog, {
        ...query,
        signal: abort.signal,
        registry: query.decode === 'registry' ? broker.registry : null,
      }),
    )
    Promise.all(running).then(
      () => {
        tails -= 1
      },
      (error: unknown) => {
        tails -= 1
        abort.abort()
        if (socket.readyState === socket.OPEN) fail(1011, errorBody(error))
      },
    )
  })
}
