// Request spans exported with the OpenTelemetry SDK (sdk-trace-base's BasicTracerProvider, a batch
// span processor and the OTLP/HTTP exporter to `<endpoint>/v1/traces`). Imported by start.ts only when
// `[otel] enabled` is on, so a broker with tracing off loads none of these modules.
// One provider per broker, never registered globally: several brokers in one process (embedded mode,
// tests) and an application's own OpenTelemetry setup do not see each other's spans.
// A Produce request whose records carry W3C `traceparent` headers gets the first as its parent (the
// span joins the producer's trace) and every other distinct one as a link.

import { type Link, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { ApiKey, apiDefinitions } from '../protocol/generated/index.ts'
import type { ProduceRequest } from '../protocol/generated/produce-request.ts'
import {
  type RequestSpanStart,
  type RequestTracing,
  spanAttributesOf,
  type TracedRequest,
  type TraceParent,
  topLevelErrorCode,
  tracedApiKeys,
  traceParentsOf,
} from './request-tracing.ts'

export interface OtelTracingOptions {
  /** OTLP/HTTP base URL. */
  endpoint: string
  serviceName: string
  serviceVersion: string
  nodeId: number
  /** How long spans wait in the batch before export (the SDK's scheduledDelayMillis). */
  exportDelayMs?: number
}

export function startOtelTracing(options: OtelTracingOptions): RequestTracing {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` })
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion,
      'service.instance.id': String(options.nodeId),
    }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: options.exportDelayMs ?? 1000,
        maxQueueSize: 8192,
      }),
    ],
  })
  const tracer = provider.getTracer('streamline', options.serviceVersion)
  return {
    async start(start: RequestSpanStart): Promise<TracedRequest | null> {
      if (!tracedApiKeys.has(start.apiKey)) return null
      const parents =
        start.apiKey === ApiKey.Produce ? await traceParentsOf(start.request as ProduceRequest) : []
      const [parent, ...others] = parents
      const links: Link[] = others.map((other) => ({ context: remoteContextOf(other) }))
      const context =
        parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remoteContextOf(parent))
      const span = tracer.startSpan(
        `${apiDefinitions[start.apiKey].name}`,
        { kind: SpanKind.SERVER, attributes: spanAttributesOf(start), links },
        context,
      )
      return {
        end({ response, error }) {
          const errorCode = topLevelErrorCode(response)
          if (errorCode !== 0) {
            span.setAttribute('kafka.error_code', errorCode)
            span.setStatus({ code: SpanStatusCode.ERROR })
          }
          if (error !== undefined) {
            span.recordException(error instanceof Error ? error : String(error))
            span.setStatus({ code: SpanStatusCode.ERROR })
          }
          span.end()
        },
      }
    },
    async close() {
      await provider.shutdown()
    },
  }
}

function remoteContextOf(parent: TraceParent) {
  return { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.traceFlags, isRemote: true }
}
