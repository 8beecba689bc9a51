// GetTelemetrySubscriptions (key 71), v0: a client asks which of its metrics to push and how often
// (KIP-714). A zero client instance id gets a new one; the subscription is every CLIENT_METRICS
// subscription whose `match` selects this client (src/telemetry/client-telemetry.ts has the rules and
// error codes). Registered only when client telemetry is on (`[telemetry] client_metrics`), as Kafka
// advertises it only with a metrics receiver configured; ApiVersions then lists it.
// ACLs: none, as in Kafka (any authenticated client may ask).

import { ApiKey } from '../../protocol/generated/index.ts'
import { clientPropertiesOf } from '../../telemetry/client-properties.ts'
import { defineHandler } from '../handler.ts'

export const getTelemetrySubscriptions = defineHandler({
  apiKey: ApiKey.GetTelemetrySubscriptions,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const telemetry = context.services.clientTelemetry
    if (telemetry === undefined) throw new Error('GetTelemetrySubscriptions routed without client telemetry')
    return telemetry.getSubscriptions(request.clientInstanceId, clientPropertiesOf(context), Date.now())
  },
})
