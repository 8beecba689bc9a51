// The properties of the client behind a request that client-metrics subscriptions match on
// (KIP-714 `match` selectors): client id, the software name and version from ApiVersions v3+, and the
// source address and port of the connection.

import type { RequestContext } from '../broker/handler.ts'
import type { ClientProperties } from './client-metrics-config.ts'

export function clientPropertiesOf(context: RequestContext): Omit<ClientProperties, 'client_instance_id'> {
  const address = context.clientAddress
  const colon = address.lastIndexOf(':')
  const host = colon === -1 ? address : address.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
  return {
    client_id: context.clientId ?? '',
    client_software_name: context.session?.clientSoftware?.name ?? '',
    client_software_version: context.session?.clientSoftware?.version ?? '',
    client_source_address: host,
    client_source_port: colon === -1 ? '' : address.slice(colon + 1),
  }
}
