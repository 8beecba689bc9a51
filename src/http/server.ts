// The HTTP port (fastify). For now it answers health checks; the operability issue adds /ready,
// /metrics and the admin REST API here.

import Fastify, { type FastifyInstance } from 'fastify'

export interface HttpServer {
  host: string
  port: number
  close(): Promise<void>
}

export async function startHttpServer(options: { host: string; port: number }): Promise<HttpServer> {
  const app: FastifyInstance = Fastify({ logger: false })
  app.get('/health', async () => ({ status: 'ok' }))
  await app.listen({ host: options.host, port: options.port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address')
  return { host: address.address, port: address.port, close: () => app.close() }
}
