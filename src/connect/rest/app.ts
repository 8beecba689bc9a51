// The Connect REST app: matches a request against the route table (rest/routes.ts), runs it, and
// answers with Kafka's bodies and error shapes. Loaded on the first request (or at start when stored
// connectors must resume) by server.ts, together with the worker it drives.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '../../log.ts'
import { ForwardRequest, Herder, RestError } from '../runtime/herder.ts'
import { Worker, type WorkerSettings } from '../runtime/worker.ts'
import { forwardRequest } from './forward.ts'
import { type Answer, errorAnswer, parseJsonBody, readRawBody, send } from './http-answer.ts'
import { Loggers } from './loggers.ts'
import { type Route, routes } from './routes.ts'

export interface ConnectApp {
  worker: Worker
  handle(request: IncomingMessage, response: ServerResponse): void
  close(): Promise<void>
}

interface CompiledRoute {
  route: Route
  pattern: RegExp
  names: string[]
}

function compile(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.path
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(part.slice(1))
      return '([^/]+)'
    })
    .join('/')
  return { route, pattern: new RegExp(`^${source === '' ? '/' : source}/?$`), names }
}

const compiled = routes.map(compile)

export async function buildConnectApp(
  settings: WorkerSettings & { version: string; log: Logger },
): Promise<ConnectApp> {
  const worker = new Worker(settings)
  await worker.start()
  const herder = new Herder(worker)
  const loggers = new Loggers(settings.log)
  let clusterId: string | null = null
  const serverInfo = async () => {
    if (clusterId === null) {
      const reader = worker.newReader()
      try {
        clusterId = await reader.clusterId()
      } finally {
        await reader.close()
      }
    }
    return { version: settings.version, commit: 'streamline', kafka_cluster_id: clusterId }
  }

  const dispatch = async (request: IncomingMessage): Promise<Answer> => {
    const url = new URL(request.url ?? '/', 'http://connect')
    let path: string
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      return errorAnswer(400, 'Malformed URL')
    }
    const matches = compiled
      .map((entry) => ({ entry, match: entry.pattern.exec(path) }))
      .filter((candidate) => candidate.match !== null)
    if (matches.length === 0) return errorAnswer(404, 'HTTP 404 Not Found')
    const found = matches.find((candidate) => candidate.entry.route.method === request.method)
    if (found === undefined) return errorAnswer(405, 'HTTP 405 Method Not Allowed')
    let raw: Promise<Buffer> | null = null
    const rawBody = (): Promise<Buffer> => {
      raw ??= readRawBody(request)
      return raw
    }
    const params: Record<string, string> = {}
    found.entry.names.forEach((name, index) => {
      params[name] = found.match?.[index + 1] ?? ''
    })
    try {
      return await found.entry.route.handle({
        herder,
        loggers,
        params,
        query: url.searchParams,
        body: async () => parseJsonBody(await rawBody()),
        serverInfo,
      })
    } catch (error) {
      if (error instanceof ForwardRequest) return forwardRequest(request, url, error.url, await rawBody())
      if (error instanceof RestError) return errorAnswer(error.status, error.message)
      settings.log.error({ err: error, method: request.method, path }, 'Connect REST request failed')
      return errorAnswer(500, error instanceof Error ? error.message : String(error))
    }
  }

  return {
    worker,
    handle(request, response) {
      dispatch(request).then(
        (answer) => send(response, answer),
        (error: unknown) => {
          settings.log.error({ err: error }, 'Connect REST answer failed')
          if (!response.headersSent) send(response, errorAnswer(500, 'Internal server error'))
        },
      )
    },
    close: () => worker.stop(),
  }
}
