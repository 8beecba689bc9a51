// Starts a whole broker in this process: opens the log, builds the router from the handler
// registry, listens for Kafka clients and serves the HTTP port. Used by the CLI, by tests and by
// applications that embed Streamline.

import { resolve } from 'node:path'
import { type BrokerLimits, defaultBrokerLimits } from '../config/limits.ts'
import { startHttpServer } from '../http/server.ts'
import { createLogger, type Logger, type LogLevel } from '../log.ts'
import { apiDefinitions } from '../protocol/generated/index.ts'
import { openLogManager } from '../storage/log-manager.ts'
import type { LogManager } from '../storage/types.ts'
import { parseHostPort } from './address.ts'
import type { AnyHandler, BrokerSettings, SupportedApi } from './handler.ts'
import { FetchSessionCache } from './handlers/fetch/fetch-session-cache.ts'
import { handlers } from './handlers/index.ts'
import { Router } from './router.ts'
import { listen } from './server.ts'

export interface StartBrokerOptions {
  /** Where the log lives (`--data-dir`). */
  dataDir: string
  /** `--listen-addr`, default 127.0.0.1:9092; port 0 picks a free port. */
  listenAddr?: string
  /** `--advertised-addr`: what Metadata tells clients; defaults to the address listened on. */
  advertisedAddr?: string
  /** `--http-addr`, default 127.0.0.1:9094; null disables the HTTP port. */
  httpAddr?: string | null
  nodeId?: number
  logLevel?: LogLevel
  logger?: Logger
  limits?: Partial<BrokerLimits>
  settings?: Partial<BrokerSettings>
}

export interface RunningBroker {
  host: string
  port: number
  /** The HTTP port, or null when disabled. */
  httpPort: number | null
  logs: LogManager
  /** Stops listening, closes connections, flushes and closes the log. */
  close(): Promise<void>
}

export const defaultBrokerSettings: BrokerSettings = { autoCreateTopicsEnable: true, numPartitions: 1 }

/** The API table ApiVersions advertises: exactly what the registry handles. */
export function supportedApisOf(registry: readonly AnyHandler[]): SupportedApi[] {
  return registry
    .map((handler) => ({
      apiKey: handler.apiKey,
      minVersion: handler.versions.min,
      maxVersion: handler.versions.max,
    }))
    .sort((a, b) => a.apiKey - b.apiKey)
}

export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const log = options.logger ?? createLogger(options.logLevel ?? 'info')
  const listenAddress = parseHostPort('listen-addr', options.listenAddr ?? '127.0.0.1:9092')
  const httpAddr = options.httpAddr === undefined ? '127.0.0.1:9094' : options.httpAddr
  const httpAddress = httpAddr === null ? null : parseHostPort('http-addr', httpAddr)
  const limits = { ...defaultBrokerLimits, ...options.limits }
  for (const handler of handlers) {
    if (handler.versions.max > apiDefinitions[handler.apiKey].maxVersion) {
      throw new Error(`handler for ${apiDefinitions[handler.apiKey].name} claims versions the spec lacks`)
    }
  }
  const logs = await openLogManager({ dataDir: options.dataDir, logger: log })
  const identity = {
    nodeId: options.nodeId ?? 0,
    host: listenAddress.host,
    port: listenAddress.port,
    rack: null,
  }
  const services = {
    identity,
    settings: { ...defaultBrokerSettings, ...options.settings },
    logs,
    log,
    supportedApis: supportedApisOf(handlers),
    dataDir: resolve(options.dataDir),
    limits,
    fetchSessions: new FetchSessionCache({
      sessionsMax: limits.fetchSessionsMax,
      sessionIdleMs: limits.fetchSessionIdleMs,
    }),
  }
  const listener = await listen({ ...listenAddress, router: new Router(handlers, services), limits, log })
  // The advertised address defaults to what we listen on, with the port the OS chose for port 0.
  const advertised = options.advertisedAddr
    ? parseHostPort('advertised-addr', options.advertisedAddr)
    : listener
  identity.host = advertised.host
  identity.port = advertised.port
  const http = httpAddress === null ? null : await startHttpServer(httpAddress)
  log.info({ host: listener.host, port: listener.port, clusterId: logs.clusterId }, 'broker listening')
  if (http !== null) log.info({ host: http.host, port: http.port }, 'http listening')
  return {
    host: listener.host,
    port: listener.port,
    httpPort: http?.port ?? null,
    logs,
    async close() {
      await listener.close()
      await http?.close()
      await logs.close()
      log.info({}, 'broker stopped')
    },
  }
}
