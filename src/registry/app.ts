// The registry behind its port, built on the first request (server.ts): the store (runtime.ts, which
// replays `_schemas`), then serves the route table. The one catch per request is here: a RegistryError becomes
// Confluent's error body; anything else is logged and answered 500 / 50001, and the process goes on.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { AnswerCache } from './answer-cache.ts'
import { RegistryError, storeError } from './errors.ts'
import { parseJsonBody, readBodyText, sendError, sendText } from './http-io.ts'
import { RegistryMetrics } from './registry-metrics.ts'
import { registryRoutes } from './route-table.ts'
import { Router } from './router.ts'
import type { RegistryRuntime } from './runtime.ts'
import type { RegistryServices } from './services.ts'
import { rewriteContextPath } from './store/contexts.ts'

/** The lookup route's template (subjects.ts), the only one whose answers `lookups` keeps. */
const lookupRoute = '/subjects/{subject}'

export interface RegistryApp {
  handle(request: IncomingMessage, response: ServerResponse): void
}

export async function buildRegistryApp(runtime: RegistryRuntime): Promise<RegistryApp> {
  const store = await runtime.store()
  const services: RegistryServices = { store, clusterId: runtime.logs.clusterId }
  const router = new Router(registryRoutes)
  const metrics =
    runtime.context.metrics === undefined
      ? null
      : new RegistryMetrics(runtime.context.metrics, store.state, store.commits)
  const answers = new AnswerCache()
  const lookups = new AnswerCache()
  /** Answers a request whose body, if any, was read already (`bodyText`), or reads it. */
  const serve = async (
    request: IncomingMessage,
    response: ServerResponse,
    matched: { route: string },
    read?: { bodyText: string | undefined; lookupKey: string },
  ): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://registry')
    const pathname = rewriteContextPath(url.pathname, url.searchParams)
    const { route, params } = router.match(request.method ?? 'GET', pathname)
    matched.route = route.path
    const appliedBefore = store.state.applied
    const body = parseJsonBody(read === undefined ? await readBodyText(request) : read.bodyText)
    const answer = await route.handle({ params, query: url.searchParams, body, services })
    const status = answer.status ?? 200
    const text = answer.raw === true ? String(answer.body) : JSON.stringify(answer.body)
    if (status === 200 && AnswerCache.cacheable(request.method, request.url))
      answers.set(request.url ?? '', appliedBefore, Buffer.from(text))
    if (status === 200 && read !== undefined && route.path === lookupRoute)
      lookups.set(read.lookupKey, appliedBefore, Buffer.from(text))
    sendText(response, status, text)
  }
  /** A lookup: its body read first, then answered from the kept answers or by the route. */
  const serveLookup = async (
    request: IncomingMessage,
    response: ServerResponse,
    matched: { route: string },
  ): Promise<void> => {
    const bodyText = await readBodyText(request)
    const lookupKey = AnswerCache.lookupKey(request.url ?? '', bodyText)
    const kept = lookups.get(lookupKey, store.state.applied)
    if (kept !== undefined) {
      matched.route = lookupRoute
      sendText(response, 200, kept)
      return
    }
    await serve(request, response, matched, { bodyText, lookupKey })
  }
  return {
    handle(request, response) {
      const matched = { route: 'unmatched' }
      const startedMs = metrics === null ? 0 : performance.now()
      // The hot read, answered from the cache: no URL parsing, routing, body reading or serializing.
      const url = request.url ?? '/'
      const kept = AnswerCache.cacheable(request.method, url)
        ? answers.get(url, store.state.applied)
        : undefined
      if (kept !== undefined) {
        sendText(response, 200, kept)
        metrics?.answered('GET', '/schemas/ids/{id}', 200, (performance.now() - startedMs) / 1000)
        return
      }
      if (metrics !== null) {
        response.once('finish', () => {
          const seconds = (performance.now() - startedMs) / 1000
          metrics.answered(request.method ?? 'GET', matched.route, response.statusCode, seconds)
        })
      }
      const answering = AnswerCache.isLookup(request.method, url)
        ? serveLookup(request, response, matched)
        : serve(request, response, matched)
      answering.catch((error: unknown) => answerFailure(runtime, request, response, error))
    },
  }
}

/** The one catch per request: Confluent's error body for a RegistryError, 500 / 50001 (logged) otherwise. */
function answerFailure(
  runtime: RegistryRuntime,
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown,
): void {
  if (!(error instanceof RegistryError)) {
    runtime.log.error({ err: error, method: request.method, url: request.url }, 'registry request failed')
  }
  if (response.headersSent) {
    response.destroy()
    return
  }
  sendError(
    response,
    error instanceof RegistryError
      ? error
      : storeError(`Error in the backend data store: ${(error as Error).message}`),
  )
  // Drain what is left of a refused body so the connection can be reused.
  request.resume()
}
