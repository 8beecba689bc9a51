// Kafka's listener model: `listeners` (NAME://host:port, comma-separated), `advertised.listeners`
// (what Metadata tells clients who connected through that listener) and
// `listener.security.protocol.map` (NAME:PROTOCOL pairs; PLAINTEXT, SSL, SASL_PLAINTEXT and
// SASL_SSL map to themselves unless listed). Parsed once from the config into ListenerSpecs.

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
export const securityProtocols: readonly SecurityProtocol[] = [
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL',
]

export interface ListenerSpec {
  name: string
  securityProtocol: SecurityProtocol
  host: string
  port: number
  /** From advertised.listeners; absent: the address bound. */
  advertised?: { host: string; port: number }
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL'
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
}

/** Thrown with the option (listeners, advertised_listeners, …) and what is wrong. */
export class ListenerConfigError extends Error {
  readonly option: string
  constructor(option: string, message: string) {
    super(message)
    this.option = option
  }
}

interface Endpoint {
  name: string
  host: string
  port: number
}

const endpointPattern = /^([A-Za-z0-9_]+):\/\/(\[[^\]]+\]|[^:/\s]*):(\d{1,5})$/

function parseEndpoints(option: string, text: string): Endpoint[] {
  const endpoints: Endpoint[] = []
  for (const part of text.split(',').map((entry) => entry.trim())) {
    if (part === '') continue
    const match = endpointPattern.exec(part)
    const port = match === null ? Number.NaN : Number(match[3])
    if (match === null || port > 65535) {
      throw new ListenerConfigError(option, `${JSON.stringify(part)} is not NAME://host:port`)
    }
    const name = match[1].toUpperCase()
    if (endpoints.some((endpoint) => endpoint.name === name)) {
      throw new ListenerConfigError(option, `listener ${name} is listed twice`)
    }
    // An empty host means every interface, as in Kafka.
    const host = match[2] === '' ? '0.0.0.0' : match[2].replace(/^\[(.*)\]$/, '$1')
    endpoints.push({ name, host, port })
  }
  return endpoints
}

function parseProtocolMap(text: string | undefined): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>(securityProtocols.map((protocol) => [protocol, protocol]))
  for (const part of (text ?? '').split(',').map((entry) => entry.trim())) {
    if (part === '') continue
    const [name, protocol, extra] = part.split(':')
    const upper = protocol?.toUpperCase() as SecurityProtocol | undefined
    if (
      name === undefined ||
      upper === undefined ||
      extra !== undefined ||
      !securityProtocols.includes(upper)
    ) {
      throw new ListenerConfigError(
        'listener_security_protocol_map',
        `${JSON.stringify(part)} is not NAME:PROTOCOL with PROTOCOL one of ${securityProtocols.join(', ')}`,
      )
    }
    map.set(name.toUpperCase(), upper)
  }
  return map
}

export interface ListenerOptions {
  listeners: string
  advertisedListeners?: string
  listenerSecurityProtocolMap?: string
}

export function parseListeners(options: ListenerOptions): ListenerSpec[] {
  const endpoints = parseEndpoints('listeners', options.listeners)
  if (endpoints.length === 0) throw new ListenerConfigError('listeners', 'no listener given')
  const protocols = parseProtocolMap(options.listenerSecurityProtocolMap)
  const advertised = parseEndpoints('advertised_listeners', options.advertisedListeners ?? '')
  for (const entry of advertised) {
    if (!endpoints.some((endpoint) => endpoint.name === entry.name)) {
      throw new ListenerConfigError('advertised_listeners', `${entry.name} is not in listeners`)
    }
  }
  const ports = new Set<number>()
  return endpoints.map((endpoint) => {
    const securityProtocol = protocols.get(endpoint.name)
    if (securityProtocol === undefined) {
      throw new ListenerConfigError(
        'listener_security_protocol_map',
        `listener ${endpoint.name} has no security protocol`,
      )
    }
    if (endpoint.port !== 0 && ports.has(endpoint.port)) {
      throw new ListenerConfigError('listeners', `port ${endpoint.port} is used by two listeners`)
    }
    ports.add(endpoint.port)
    const entry = advertised.find((candidate) => candidate.name === endpoint.name)
    return {
      name: endpoint.name,
      securityProtocol,
      host: endpoint.host,
      port: endpoint.port,
      ...(entry === undefined ? {} : { advertised: { host: entry.host, port: entry.port } }),
    }
  })
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}
