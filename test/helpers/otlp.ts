// OTLP test tools: a receiver (a bare node:http server on 127.0.0.1:0 keeping every export it is
// sent, as an OpenTelemetry collector's OTLP/HTTP receiver would get it) and OTLP metrics payloads
// encoded by OpenTelemetry's own SDK and serializer (sdk-metrics, otlp-transformer), so the broker
// decodes what the official encoder writes, not what our decoder's author expects.

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'

export interface OtlpExport {
  path: string
  contentType: string
  body: Buffer
}

export interface OtlpReceiver {
  url: string
  exports: OtlpExport[]
  /** Waits (bounded) until `predicate` holds for the exports received so far. */
  waitFor(predicate: (exports: OtlpExport[]) => boolean, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: OtlpExport[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      exports.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      })
      const json = (request.headers['content-type'] ?? '').includes('json')
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
      response.end(json ? '{}' : Buffer.alloc(0))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(exports)) {
        if (Date.now() > deadline) throw new Error(`OTLP receiver: condition not met in ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

class CollectOnce extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA })
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** MetricsData with one gauge and one sum, as the OpenTelemetry SDK encodes it. */
export async function otlpMetricsPayload(values: {
  gauge: { name: string; value: number; attributes: Record<string, string> }
  sum: { name: string; value: number }
}): Promise<Buffer> {
  const reader = new CollectOnce()
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-test-client' }),
    readers: [reader],
  })
  const meter = provider.getMeter('org.apache.kafka')
  meter
    .createObservableGauge(values.gauge.name)
    .addCallback((result) => result.observe(values.gauge.value, values.gauge.attributes))
  meter.createCounter(values.sum.name).add(values.sum.value)
  const { resourceMetrics } = await reader.collect()
  await provider.shutdown()
  const bytes = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)
  if (bytes === undefined) throw new Error('the OpenTelemetry serializer returned nothing')
  return Buffer.from(bytes)
}
