// The schema registry's port (default 127.0.0.1:8081, Confluent's). Bound at start by a bare
// node:http server (~1 ms, no registry module loaded); the registry itself (app.ts: the routes, the
// store and its replay of `_schemas`; avsc, ajv and protobufjs later still, per format) is built on
// the first request, which waits for it, as do those arriving meanwhile. An idle broker never
// carries it. With SCRAM users configured (or authentication.method BASIC), every request first
// passes HTTP basic auth (basic-auth.ts), before the registry is built. With TLS options the same
// server is node:https (Confluent's `listeners=https://…`).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { TlsOptions } from 'node:tls'
import type { Logger } from '../log.ts'
import type { BrokerMetrics } from '../metrics/broker-metrics.ts'
import type { Authorizer } from '../security/acl/authorizer.ts'
import { readPem } from '../security/broker-listeners.ts'
import type { SecurityServices } from '../security/session.ts'
import type { LogManager } from '../storage/types.ts'
import type { RegistryAnswer, RegistryApp } from './app.ts'
import { type RegistryAuthenticationMethod, RegistryBasicAuth } from './basic-auth.ts'
import { FastPath, type HotReads } from './fast-path.ts'
import type { RegistryRuntime } from './runtime.ts'

export interface RegistryContext {
  logs: LogManager
  log: Logger
  /** The broker's SCRAM users: with any, the port requires HTTP basic auth (basic-auth.ts). */
  security?: SecurityServices
  /** `super.users` and ACLs: who may write. */
  authorizer?: Authorizer
  /** The broker's /metrics, where the registry adds its own (registry-metrics.ts). */
  metrics?: BrokerMetrics
}

export interface RegistryServer {
  host: string
  port: number
  /** `http://host:port` or, with TLS, `https://host:port`. */
  url: string
  /** Builds the registry now (idempotent). */
  warm(): Promise<void>
  close(): Promise<void>
}

/** The registry's TLS options from the broker's PEM files (the same reading as its TLS listeners). */
export async function registryTlsOptionsOf(files: {
  certFile: string
  keyFile: string
}): Promise<TlsOptions> {
  return {
    cert: await readPem('security.ssl_cert_file', files.certFile),
    key: await readPem('security.ssl_key_file', files.keyFile),
    minVersion: 'TLSv1.2',
  }
}

/** How long an idle keep-alive connection stays open on the port. */
const keepAliveMs = 30_000

export async function startRegistryServer(options: {
  host: string
  port: number
  runtime: RegistryRuntime
  /** Confluent's authentication.method: BASIC, NONE, or AUTO (basic auth once SCRAM users exist). */
  authentication?: RegistryAuthenticationMethod
  /** Serve HTTPS (Confluent's `listeners=https://…`). */
  tls?: TlsOptions
}): Promise<RegistryServer> {
  const { runtime } = options
  const context = runtime
  const server =
    options.tls === undefined
      ? createServer({ keepAliveTimeout: keepAliveMs })
      : createHttpsServer({ ...options.tls, keepAliveTimeout: keepAliveMs })
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
  const auth = new RegistryBasicAuth({ ...runtime.context, method: options.authentication ?? 'AUTO' })
  const dispatch = (request: IncomingMessage, response: ServerResponse): void => {
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
  }
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!auth.required()) {
      dispatch(request, response)
      return
    }
    // Checked before the registry is built: an unauthenticated caller does not load it.
    auth.check(request).then(
      (refusal) => {
        if (refusal === null) {
          dispatch(request, response)
          return
        }
        response.writeHead(refusal.status, {
          'content-type': 'application/vnd.schemaregistry.v1+json',
          ...refusal.headers,
        })
        response.end(JSON.stringify(refusal.body))
        request.resume()
      },
      (error: unknown) => {
        context.log.error({ err: error }, 'registry authentication failed to run')
        response.writeHead(500, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
        response.end(JSON.stringify({ error_code: 50001, message: 'Error while authenticating' }))
        request.resume()
      },
    )
  })
  // Plain HTTP without basic auth: the hot reads are answered before node:http (fast-path.ts).
  const hotReads: HotReads = (method, url, body) => {
    if (auth.required()) return null
    if (built !== null) return built.answerHot(method, url, body)
    return build().then<RegistryAnswer | null>((app) => app.answerHot(method, url, body))
  }
  const fastPath =
    options.tls === undefined ? new FastPath(server, hotReads, () => !auth.required(), keepAliveMs) : null
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('registry server has no TCP address')
  const scheme = options.tls === undefined ? 'http' : 'https'
  return {
    host: address.address,
    port: address.port,
    url: `${scheme}://${address.address}:${address.port}`,
    async warm() {
      await build()
    },
    async close() {
      await building?.catch(() => null)
      fastPath?.closeAll()
      server.closeIdleConnections()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
    },
  }
}
