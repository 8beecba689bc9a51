// What the router needs from request tracing (`--otel-enabled`), free of any OpenTelemetry import so
// that a broker with tracing off loads none of it: the interface the router calls, which APIs are
// traced (produce, fetch, group and transaction requests), the attributes of their spans, and the W3C
// `traceparent` headers of produced records (the first becomes the span's parent, the others links).
// otel-tracing.ts implements the interface with the OpenTelemetry SDK and is imported only when on.

import { ApiKey, apiDefinitions } from '../protocol/generated/index.ts'
import type { ProduceRequest } from '../protocol/generated/produce-request.ts'
import { decodeBatches } from '../protocol/records/batch-v2.ts'

export interface RequestSpanStart {
  apiKey: ApiKey
  apiVersion: number
  clientId: string | null
  principal: string
  clientAddress: string
  request: unknown
}

export interface TracedRequest {
  /** Ends the span with the handler's answer (its top-level error code, if any) or its failure. */
  end(outcome: { response?: unknown; error?: unknown }): void
}

export interface RequestTracing {
  /** A span for this request, or null when its API is not traced. */
  start(request: RequestSpanStart): Promise<TracedRequest | null>
  /** Exports what is pending and stops. */
  close(): Promise<void>
}

export const tracedApiKeys: ReadonlySet<number> = new Set([
  ApiKey.Produce,
  ApiKey.Fetch,
  ApiKey.OffsetCommit,
  ApiKey.OffsetFetch,
  ApiKey.FindCoordinator,
  ApiKey.JoinGroup,
  ApiKey.Heartbeat,
  ApiKey.LeaveGroup,
  ApiKey.SyncGroup,
  ApiKey.InitProducerId,
  ApiKey.AddPartitionsToTxn,
  ApiKey.AddOffsetsToTxn,
  ApiKey.EndTxn,
  ApiKey.TxnOffsetCommit,
  ApiKey.ConsumerGroupHeartbeat,
])

export type SpanAttributes = Record<string, string | number | string[]>

/** The span's attributes (OpenTelemetry messaging semantic conventions where they have a name). */
export function spanAttributesOf(start: RequestSpanStart): SpanAttributes {
  const attributes: SpanAttributes = {
    'messaging.system': 'kafka',
    'messaging.operation.name': apiDefinitions[start.apiKey].name,
    'kafka.api.key': start.apiKey,
    'kafka.api.version': start.apiVersion,
    'enduser.id': start.principal,
    'client.address': start.clientAddress,
  }
  if (start.clientId !== null) attributes['messaging.client.id'] = start.clientId
  const body = start.request as Record<string, unknown>
  if (typeof body.groupId === 'string') attributes['messaging.consumer.group.name'] = body.groupId
  if (typeof body.transactionalId === 'string') attributes['kafka.transactional_id'] = body.transactionalId
  const topics = topicNamesOf(start.apiKey, body)
  if (topics.length === 1) attributes['messaging.destination.name'] = topics[0]
  if (topics.length > 0) attributes['kafka.topics'] = topics
  return attributes
}

function topicNamesOf(apiKey: ApiKey, body: Record<string, unknown>): string[] {
  const list = apiKey === ApiKey.Produce ? body.topicData : apiKey === ApiKey.Fetch ? body.topics : undefined
  if (!Array.isArray(list)) return []
  const names = list.map((topic: { name?: unknown; topic?: unknown }) =>
    typeof topic.name === 'string' ? topic.name : typeof topic.topic === 'string' ? topic.topic : '',
  )
  return [...new Set(names.filter((name) => name !== ''))]
}

/** A W3C trace context (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface TraceParent {
  traceId: string
  spanId: string
  traceFlags: number
}

const traceParentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

export function parseTraceParent(text: string): TraceParent | null {
  const match = traceParentPattern.exec(text.trim())
  if (match === null || match[1] === 'ff') return null
  if (/^0+$/.test(match[2]) || /^0+$/.test(match[3])) return null
  return { traceId: match[2], spanId: match[3], traceFlags: Number.parseInt(match[4], 16) }
}

/** Bound on the trace contexts one Produce request contributes (parent + links). */
export const traceParentsPerRequestMax = 32

/** The distinct `traceparent` headers of the records of a Produce request, in order. Batches that do
 * not decode are skipped here: the produce handler refuses them with its own error. */
export async function traceParentsOf(request: ProduceRequest): Promise<TraceParent[]> {
  const found = new Map<string, TraceParent>()
  for (const topic of request.topicData) {
    for (const partition of topic.partitionData) {
      if (partition.records === null || partition.records.length === 0) continue
      let batches: Awaited<ReturnType<typeof decodeBatches>>
      try {
        batches = await decodeBatches(partition.records, { origin: 'produce' })
      } catch {
        continue
      }
      for (const batch of batches) {
        for (const record of batch.records) {
          for (const header of record.headers) {
            if (header.key !== 'traceparent' || header.value === null) continue
            const parent = parseTraceParent(header.value.toString('latin1'))
            if (parent !== null && !found.has(parent.spanId)) found.set(parent.spanId, parent)
            if (found.size >= traceParentsPerRequestMax) return [...found.values()]
          }
        }
      }
    }
  }
  return [...found.values()]
}

/** The top-level error code of a response, when it has one. */
export function topLevelErrorCode(response: unknown): number {
  if (typeof response !== 'object' || response === null) return 0
  const code = (response as { errorCode?: unknown }).errorCode
  return typeof code === 'number' ? code : 0
}
