// Connection admission for every listener of one broker: `max.connections` over all listeners and
// `max.connections.per.ip` (with `max.connections.per.ip.overrides`), as Kafka's ConnectionQuotas
// counts them. A connection over either limit is closed as soon as it is accepted; its slot is
// released when the socket closes. The per-address map holds only addresses with open connections.

import type { BrokerLimits } from '../config/limits.ts'
import { ConfigError } from '../errors.ts'

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack listener) counts as `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase()
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower
}

/** `address:count` pairs, comma-separated (IPv6 addresses may be bracketed). */
export function parsePerIpOverrides(text: string): Map<string, number> {
  const overrides = new Map<string, number>()
  for (const pair of text.split(',')) {
    const trimmed = pair.trim()
    if (trimmed === '') continue
    const colon = trimmed.lastIndexOf(':')
    const count = Number(trimmed.slice(colon + 1))
    let address = trimmed.slice(0, colon)
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
    if (colon <= 0 || !Number.isInteger(count) || count < 0) {
      throw new ConfigError('limits.connections_per_ip_overrides', `expected address:count, got "${trimmed}"`)
    }
    overrides.set(normalizeAddress(address), count)
  }
  return overrides
}

export type Admission = { admitted: true } | { admitted: false; reason: string }

export class ConnectionLimiter {
  private total = 0
  private readonly perAddress = new Map<string, number>()
  private connectionsMax: number
  private perIpMax: number
  private overrides: Map<string, number>

  constructor(
    limits: Pick<BrokerLimits, 'connectionsMax' | 'connectionsPerIpMax' | 'connectionsPerIpOverrides'>,
  ) {
    this.connectionsMax = limits.connectionsMax
    this.perIpMax = limits.connectionsPerIpMax
    this.overrides = parsePerIpOverrides(limits.connectionsPerIpOverrides)
  }

  /** New limits (dynamic broker configs): they apply to new connections; open ones are counted. */
  reconfigure(
    limits: Pick<BrokerLimits, 'connectionsMax' | 'connectionsPerIpMax' | 'connectionsPerIpOverrides'>,
  ): void {
    this.overrides = parsePerIpOverrides(limits.connectionsPerIpOverrides)
    this.connectionsMax = limits.connectionsMax
    this.perIpMax = limits.connectionsPerIpMax
  }

  /** Takes a slot for a new connection from `remoteAddress`; call release() when it closes. */
  admit(remoteAddress: string | undefined): Admission {
    const address = normalizeAddress(remoteAddress ?? '')
    if (this.total >= this.connectionsMax) {
      return { admitted: false, reason: `max.connections (${this.connectionsMax}) reached` }
    }
    const limit = this.overrides.get(address) ?? this.perIpMax
    const open = this.perAddress.get(address) ?? 0
    if (open >= limit) {
      return { admitted: false, reason: `max.connections.per.ip (${limit}) reached for ${address}` }
    }
    this.total += 1
    this.perAddress.set(address, open + 1)
    return { admitted: true }
  }

  release(remoteAddress: string | undefined): void {
    const address = normalizeAddress(remoteAddress ?? '')
    const open = this.perAddress.get(address) ?? 0
    if (open <= 1) this.perAddress.delete(address)
    else this.perAddress.set(address, open - 1)
    this.total = Math.max(0, this.total - 1)
  }

  get connectionCount(): number {
    return this.total
  }
}
