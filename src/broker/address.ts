// "host:port" parsing for --listen-addr, --advertised-addr and --http-addr.

import { ConfigError } from '../errors.ts'

export interface HostPort {
  host: string
  port: number
}

/** Parses "host:port" or "[v6addr]:port"; port 0 asks the OS for a free port. */
export function parseHostPort(key: string, text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = match ? Number(match[3]) : Number.NaN
  if (!match || port > 65535) throw new ConfigError(key, `expected host:port, got ${JSON.stringify(text)}`)
  return { host: match[1] ?? match[2], port }
}
