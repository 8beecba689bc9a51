// The schema registry's port (default 127.0.0.1:8081, Confluent's). Bound at start by a bare
// node:http server (~1 ms, no registry module loaded); the registry itself (app.ts: the routes, the
// store and its replay of `_schemas`; avsc, ajv and protobufjs later still, per format) is built on
// the first request, which waits for it, as do those arriving meanwhile. An idle broker never
// carries it.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Logger } from '../log.ts'
import type { LogManager } from '../storage/types.ts'
import type { RegistryApp } from './app.ts'
import type { RegistryRuntime } from './runtime.ts'

export interface RegistryContext {
  logs: LogManager
  log: Logger
}

export interface RegistryServer {
  host: string
  port: number
  /** Builds the registry now (idempotent). */
  warm(): Promise<void>
  close(): Promise<void>
}

export async function startRegistryServer(options: {
  host: string
  port: number
  runtime: RegistryRuntime
}): Promise<RegistryServer> {
  const { runtime } = options
  const context = runtime
  const server = createServer({ keepAliveTimeout: 30_000 })
  let built: RegistryApp | null = null
  let building: Promise<RegistryApp> | null = null
  const build = (): Promise<RegistryApp> => {
    building ??= import('./app.ts')
      .then(({ buildRegistryApp }) => buildRegistryApp(runtime))
      .then((app) => {
        built = app
        return app
      })
    // A failed build is tried again by the next request (e.g. a disk error during replay).
    building.catch(() => {
      building = null
    })
    return building
  }
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (built !== null) {
      built.handle(request, response)
      return
    }
    build().then(
      (app) => app.handle(request, response),
      (error: unknown) => {
        context.log.error({ err: error }, 'building the schema registry failed')
        const text = JSON.stringify({ error_code: 50001, message: 'Error while loading the schema registry' })
        response.writeHead(500, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
        response.end(text)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('registry server has no TCP address')
  return {
    host: address.address,
    port: address.port,
    async warm() {
      await build()
    },
    async close() {
      await building?.catch(() => null)
      server.closeIdleConnections()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
    },
  }
}
