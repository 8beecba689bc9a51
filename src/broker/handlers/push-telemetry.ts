// PushTelemetry (key 72), v0: a client pushes its subscribed metrics, an OTLP MetricsData protobuf,
// compressed as it says (KIP-714). Checked and accepted by src/telemetry/client-telemetry.ts (the
// error codes are listed there); accepted metrics appear on /metrics and go to the OTLP endpoint.
// A malformed payload is INVALID_RECORD and the connection stays open. Registered only when client
// telemetry is on (`[telemetry] client_metrics`), like GetTelemetrySubscriptions.
// ACLs: none, as in Kafka.

import { ApiKey } from '../../protocol/generated/index.ts'
import { clientPropertiesOf } from '../../telemetry/client-properties.ts'
import { defineHandler } from '../handler.ts'

export const pushTelemetry = defineHandler({
  apiKey: ApiKey.PushTelemetry,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const telemetry = context.services.clientTelemetry
    if (telemetry === undefined) throw new Error('PushTelemetry routed without client telemetry')
    const errorCode = await telemetry.push(request, clientPropertiesOf(context), Date.now())
    return { throttleTimeMs: 0, errorCode }
  },
})
