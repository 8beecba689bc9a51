// The telemetry parts of one broker, opened by start.ts from the [otel] options: the client-metrics
// subscriptions (always: CLIENT_METRICS configs exist whether or not clients push), client telemetry
// (with `client_telemetry` on) and request tracing (with `enabled` on). The OpenTelemetry SDK and the
// push receiver are imported only when turned on, so a default broker loads neither.

import type { BrokerServices } from '../broker/handler.ts'
import type { Logger } from '../log.ts'
import type { BrokerMetrics } from '../metrics/broker-metrics.ts'
import { ClientMetricsStore } from './client-metrics-store.ts'
import type { ClientTelemetry } from './client-telemetry.ts'
import { defaultOtelOptions, type OtelOptions } from './options.ts'
import type { BrokerMetricsExport } from './otlp-broker-metrics.ts'
import type { RequestTracing } from './request-tracing.ts'

export interface BrokerTelemetry {
  options: OtelOptions
  clientMetrics: ClientMetricsStore
  clientTelemetry: ClientTelemetry | undefined
  /** Sets `services.tracing` once the OpenTelemetry SDK is loaded (at once when tracing is off). */
  tracingReady(services: BrokerServices): Promise<void>
  close(): Promise<void>
}

export async function openTelemetry(options: {
  otel: Partial<OtelOptions> | undefined
  dataDir: string | undefined
  metrics: BrokerMetrics
  log: Logger
  version: string
  nodeId: number
}): Promise<BrokerTelemetry> {
  const otel = { ...defaultOtelOptions, ...options.otel }
  const clientMetrics = new ClientMetricsStore(options.dataDir)
  await clientMetrics.load()
  const clientTelemetry = otel.clientTelemetry
    ? await openClientTelemetry(otel, clientMetrics, options)
    : undefined
  // The SDK takes a while to load (hundreds of ms on a busy machine): it loads beside the start-up, and
  // requests are traced from the moment it is there (`tracingReady`), so start-to-ready never waits.
  const tracingLoad: Promise<RequestTracing | undefined> = otel.enabled
    ? import('./otel-tracing.ts').then(({ startOtelTracing }) => {
        options.log.info({ endpoint: otel.endpoint }, 'OpenTelemetry export on')
        return startOtelTracing({
          endpoint: otel.endpoint,
          serviceName: otel.serviceName,
          serviceVersion: options.version,
          nodeId: options.nodeId,
          exportDelayMs: otel.spanExportDelayMs,
        })
      })
    : Promise.resolve(undefined)
  const failed = (error: unknown): undefined => {
    options.log.error({ err: error }, 'starting OpenTelemetry export failed; requests are not traced')
    return undefined
  }
  const tracing = tracingLoad.catch(failed)
  // Broker metrics go out on their own timer, loaded the same way (never before start-up is done).
  const metricsExport: Promise<BrokerMetricsExport | undefined> = otel.enabled
    ? import('./otlp-broker-metrics.ts')
        .then(({ startBrokerMetricsExport }) =>
          startBrokerMetricsExport({
            registry: () => options.metrics.registry,
            endpoint: otel.endpoint,
            intervalMs: otel.metricsExportIntervalMs,
            serviceName: otel.serviceName,
            serviceVersion: options.version,
            nodeId: options.nodeId,
            log: options.log,
          }),
        )
        .catch((error: unknown) => {
          options.log.error({ err: error }, 'starting the OTLP metrics export failed')
          return undefined
        })
    : Promise.resolve(undefined)
  return {
    options: otel,
    clientMetrics,
    clientTelemetry,
    tracingReady: (services) =>
      Promise.all([tracing, metricsExport]).then(([loaded]) => {
        if (loaded !== undefined) services.tracing = loaded
      }),
    async close() {
      try {
        await (await metricsExport)?.close()
      } catch (error) {
        options.log.warn({ err: error }, 'the last OTLP metrics export failed')
      }
      try {
        await (await tracing)?.close()
      } catch (error) {
        options.log.warn({ err: error }, 'flushing the last spans failed')
      }
    },
  }
}

async function openClientTelemetry(
  otel: OtelOptions,
  store: ClientMetricsStore,
  options: { metrics: BrokerMetrics; log: Logger },
): Promise<ClientTelemetry> {
  const [{ ClientTelemetry }, { ClientMetricsExport }] = await Promise.all([
    import('./client-telemetry.ts'),
    import('./client-metrics-sink.ts'),
  ])
  const sink = new ClientMetricsExport({
    registry: () => options.metrics.registry,
    otlpEndpoint: otel.enabled ? otel.endpoint : null,
    log: options.log,
  })
  return new ClientTelemetry({ store, sink, telemetryMaxBytes: otel.telemetryMaxBytes })
}
