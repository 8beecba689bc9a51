// The [otel] section (docs/telemetry.md): OpenTelemetry export of the broker's own request spans and
// metrics, and client telemetry (KIP-714: clients push their metrics to the broker). Everything is off
// by default; with `enabled` off no OpenTelemetry module is loaded.

import { z } from 'zod'

const doc = (text: string, extra: Record<string, string> = {}) => ({ doc: text, ...extra })

export const otelSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .meta(
        doc('Export request spans and broker metrics (and received client metrics) over OTLP/HTTP.', {
          flag: 'otel-enabled',
        }),
      ),
    endpoint: z
      .string()
      .url()
      .default('http://127.0.0.1:4318')
      .meta(
        doc('OTLP/HTTP base URL; spans go to /v1/traces, metrics to /v1/metrics.', {
          flag: 'otel-endpoint',
          valueName: '<url>',
        }),
      ),
    serviceName: z
      .string()
      .min(1)
      .default('streamline')
      .meta(doc('service.name of the exported spans and metrics.', { valueName: '<name>' })),
    clientTelemetry: z
      .boolean()
      .default(false)
      .meta(
        doc(
          'Accept client metrics (KIP-714): advertise GetTelemetrySubscriptions/PushTelemetry so clients push what CLIENT_METRICS subscriptions ask.',
          { flag: 'client-telemetry' },
        ),
      ),
    telemetryMaxBytes: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .default(1024 * 1024)
      .meta(doc('Largest PushTelemetry payload accepted (Kafka: telemetry.max.bytes).')),
    metricsExportIntervalMs: z
      .number()
      .int()
      .min(100)
      .max(2 ** 31 - 1)
      .default(60_000)
      .meta(
        doc(
          'How often the broker metrics (those of /metrics) are exported to <endpoint>/v1/metrics when enabled (OpenTelemetry: OTEL_METRIC_EXPORT_INTERVAL).',
        ),
      ),
  })
  .strict()
