// A Kafka listener: accepts TCP connections (TLS ones through node:tls for SSL and SASL_SSL
// listeners) and gives each to a Connection.

import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import type { BrokerLimits } from '../config/limits.ts'
import type { Logger } from '../log.ts'
import { Connection } from './connection.ts'
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
  const onConnection = (socket: Socket): void => {
    if (connections.size >= limits.connectionsMax) {
      log.warn({ connectionsMax: limits.connectionsMax }, 'connection limit reached; refusing connection')
      socket.destroy()
      return
    }
    const connection = new Connection(socket, router, limits, log, options.connectionInfo?.(socket))
    connections.add(connection)
    socket.on('close', () => connections.delete(connection))
  }
  const server: Server =
    options.tls === undefined ? createServer(onConnection) : createTlsServer(options.tls, onConnection)
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
