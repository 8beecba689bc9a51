// What startBroker takes for OpenTelemetry and client telemetry (the [otel] config section).

export interface OtelOptions {
  /** Export request spans and broker metrics over OTLP; forward received client metrics. */
  enabled: boolean
  /** OTLP/HTTP base URL (`http://127.0.0.1:4318`). */
  endpoint: string
  serviceName: string
  /** Serve GetTelemetrySubscriptions/PushTelemetry (KIP-714). */
  clientTelemetry: boolean
  /** Kafka's telemetry.max.bytes. */
  telemetryMaxBytes: number
  /** How often broker metrics are exported over OTLP (with `enabled`); default 60 s. */
  metricsExportIntervalMs: number
  /** Span batch delay (tests shorten it); default 1 s. */
  spanExportDelayMs?: number
}

export const defaultOtelOptions: OtelOptions = {
  enabled: false,
  endpoint: 'http://127.0.0.1:4318',
  serviceName: 'streamline',
  clientTelemetry: false,
  telemetryMaxBytes: 1024 * 1024,
  metricsExportIntervalMs: 60_000,
}
