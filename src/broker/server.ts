// A Kafka listener: accepts TCP connections (TLS ones through node:tls for SSL and SASL_SSL
// listeners) and gives each to a Connection.

import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import type { BrokerLimits } from '../config/limits.ts'
import type { Logger } from '../log.ts'
import { Connection } from './connection.ts'
import { ConnectionLimiter } from './connection-limits.ts'
import type { ConnectionInfo, Router } from './router.ts'

export interface KafkaListener {
  host: string
  port: number
  /** Stops accepting, closes every connection. */
  close(): Promise<void>
  /** Stops accepting new connections; open ones go on (graceful shutdown drains them, then close()). */
  stopAccepting(): void
  readonly connectionCount: number
}

export async function listen(options: {
  host: string
  port: number
  router: Router
  limits: BrokerLimits
  log: Logger
  /** TLS server options (SSL and SASL_SSL listeners); absent: plain TCP. */
  tls?: TlsOptions
  /** What each connection of this listener carries (authentication state, listener services). */
  connectionInfo?: (socket: Socket) => Omit<ConnectionInfo, 'clientAddress'>
}): Promise<KafkaListener> {
  const { router, limits, log } = options
  const connections = new Set<Connection>()
  // One limiter for all listeners of a broker (max.connections counts them all); a listener started
  // on its own (tests) gets its own.
  const limiter = router.services.connectionLimiter ?? new ConnectionLimiter(limits)
  const refusals = new RefusalLog(log)
  const onConnection = (socket: Socket): void => {
    const remoteAddress = socket.remoteAddress
    const admission = limiter.admit(remoteAddress)
    if (!admission.admitted) {
      refusals.refused(admission.reason)
      socket.destroy()
      return
    }
    socket.once('close', () => limiter.release(remoteAddress))
    const connection = new Connection(socket, router, limits, log, options.connectionInfo?.(socket))
    connections.add(connection)
    socket.on('close', () => connections.delete(connection))
  }
  const server: Server =
    options.tls === undefined ? createServer(onConnection) : createTlsServer(options.tls, onConnection)
  // A backstop that also counts TLS sockets still in their handshake (onConnection sees them only after).
  server.maxConnections = limits.connectionsMax
  server.on('drop', () =>
    refusals.refused(`max.connections (${limits.connectionsMax}) reached on this listener`),
  )
  // A failed TLS handshake (no or an untrusted client certificate, plain text on a TLS port) is the
  // client's problem: that socket is closed by node:tls.
  server.on('tlsClientError', (error: Error) => log.info({ reason: error.message }, 'TLS handshake failed'))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => log.error({ err: error }, 'listener error'))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address')
  return {
    host: address.address,
    port: address.port,
    stopAccepting: () => server.close(),
    get connectionCount() {
      return connections.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of connections) connection.close('broker shutting down')
        server.close(() => resolve())
      }),
  }
}

/** Refused connections are logged at most once per interval (a flood must not flood the log too). */
class RefusalLog {
  private static readonly intervalMs = 10_000
  private lastLoggedMs = 0
  private unlogged = 0
  constructor(private readonly log: Logger) {}

  refused(reason: string): void {
    this.unlogged += 1
    const nowMs = Date.now()
    if (nowMs - this.lastLoggedMs < RefusalLog.intervalMs) return
    this.log.warn({ reason, refused: this.unlogged }, 'connection limit reached; refusing connections')
    this.lastLoggedMs = nowMs
    this.unlogged = 0
  }
}
