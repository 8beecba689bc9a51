// The registry behind its port, built on the first request (server.ts): the store (runtime.ts, which
// replays `_schemas`), then serves the route table. The one catch per request is here: a RegistryError becomes
// Confluent's error body; anything else is logged and answered 500 / 50001, and the process goes on.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { AnswerCache } from './answer-cache.ts'
import { RegistryError, storeError } from './errors.ts'
import { checkedBodyText, parseJsonBody, readBodyText, sendError, sendText } from './http-io.ts'
import { IdAnswers } from './id-answers.ts'
import { LookupAnswers } from './lookup-answers.ts'
import { RegistryMetrics } from './registry-metrics.ts'
import { registryRoutes } from './route-table.ts'
import { type RouteMatch, Router } from './router.ts'
import type { RegistryRuntime } from './runtime.ts'
import type { RegistryServices } from './services.ts'
import { rewriteContextPath } from './store/contexts.ts'

/** The lookup route's template (subjects.ts), the only one whose answers `lookups` keeps. */
const lookupRoute = '/subjects/{subject}'
const idRoutePath = '/schemas/ids/{id}'
const idPathPrefix = '/schemas/ids/'

/** An answer's status and body (JSON, or a raw schema text), sent as `responseContentType`. */
export interface RegistryAnswer {
  status: number
  body: string | Buffer
}

export interface RegistryApp {
  handle(request: IncomingMessage, response: ServerResponse): void
  /**
   * The answer to a hot read received without node:http (fast-path.ts): `GET /schemas/ids/{id}` with
   * no query and no body, or a lookup (`POST /subjects/{s}`) with its whole body; any status, as
   * `handle` would answer it. A kept answer (status 200, its body a view of the kept bytes) comes back
   * at once. Null when the request is neither (it is then served through `handle`).
   */
  answerHot(
    method: string,
    url: string,
    body: { text: string; contentType: string | undefined } | undefined,
  ): RegistryAnswer | Promise<RegistryAnswer> | null
}

export async function buildRegistryApp(runtime: RegistryRuntime): Promise<RegistryApp> {
  const store = await runtime.store()
  const services: RegistryServices = { store, clusterId: runtime.logs.clusterId }
  const router = new Router(registryRoutes)
  const metrics =
    runtime.context.metrics === undefined
      ? null
      : new RegistryMetrics(runtime.context.metrics, store.state, store.commits)
  /**
   * The id route, found once. A first-time `GET /schemas/ids/{id}` without a query (what
   * `AnswerCache.cacheable` accepts: the router would find this route with the digits as the id and
   * an empty query; no context rewrite applies) skips URL parsing and routing: on a cold cache ~20 %
   * of a read burst's requests take that path.
   */
  const idRoute = router.match('GET', `${idPathPrefix}0`).route
  const answers = new IdAnswers()
  const lookups = new LookupAnswers()
  /**
   * Routes `method url`, its body (if any) read by `readBody` after the route matched; keeps the 200
   * answers of the hot reads (a lookup's under `lookupKey`).
   */
  const answerOf = async (
    method: string,
    rawUrl: string,
    readBody: () => Promise<string | undefined>,
    matched: { route: string },
    lookupKey?: string,
  ): Promise<RegistryAnswer> => {
    const { route, params, query } = AnswerCache.cacheable(method, rawUrl)
      ? { route: idRoute, params: { id: rawUrl.slice(idPathPrefix.length) }, query: new URLSearchParams() }
      : routed(router, method, rawUrl)
    matched.route = route.path
    const appliedBefore = store.state.applied
    const body = parseJsonBody(await readBody())
    const answer = await route.handle({ params, query, body, services })
    const status = answer.status ?? 200
    const text = answer.raw === true ? String(answer.body) : JSON.stringify(answer.body)
    if (status === 200 && AnswerCache.cacheable(method, rawUrl))
      answers.set(idOf(rawUrl), appliedBefore, text)
    if (status === 200 && lookupKey !== undefined && route.path === lookupRoute)
      lookups.set(lookupKey, appliedBefore, text)
    return { status, body: text }
  }
  /** A lookup whose body was read: the kept answer, or the route's (which keeps it). */
  const answerLookup = (
    url: string,
    bodyText: string | undefined,
    matched: { route: string },
  ): RegistryAnswer | Promise<RegistryAnswer> => {
    const lookupKey = AnswerCache.lookupKey(url, bodyText)
    const kept = lookups.get(lookupKey, store.state.applied)
    if (kept !== undefined) {
      matched.route = lookupRoute
      return { status: 200, body: kept }
    }
    return answerOf('POST', url, () => Promise.resolve(bodyText), matched, lookupKey)
  }
  /** A hot read not kept: the route's answer (a failure's too), counted on /metrics. */
  const answerCounted = async (
    method: string,
    url: string,
    startedMs: number,
    answering: (matched: { route: string }) => RegistryAnswer | Promise<RegistryAnswer>,
  ): Promise<RegistryAnswer> => {
    const matched = { route: 'unmatched' }
    let answer: RegistryAnswer
    try {
      answer = await answering(matched)
    } catch (error) {
      answer = failureAnswer(runtime, method, url, error)
    }
    metrics?.answered(method, matched.route, answer.status, (performance.now() - startedMs) / 1000)
    return answer
  }
  return {
    handle(request, response) {
      const matched = { route: 'unmatched' }
      const startedMs = metrics === null ? 0 : performance.now()
      // The hot read, answered from the cache: no URL parsing, routing, body reading or serializing.
      const url = request.url ?? '/'
      const method = request.method ?? 'GET'
      const kept = AnswerCache.cacheable(method, url)
        ? answers.get(idOf(url), store.state.applied)
        : undefined
      if (kept !== undefined) {
        sendText(response, 200, kept)
        metrics?.answered('GET', idRoutePath, 200, (performance.now() - startedMs) / 1000)
        return
      }
      if (metrics !== null) {
        response.once('finish', () => {
          const seconds = (performance.now() - startedMs) / 1000
          metrics.answered(method, matched.route, response.statusCode, seconds)
        })
      }
      const answering = AnswerCache.isLookup(method, url)
        ? readBodyText(request).then((bodyText) => answerLookup(url, bodyText, matched))
        : answerOf(method, url, () => readBodyText(request), matched)
      answering.then(
        (answer) => sendText(response, answer.status, answer.body),
        (error: unknown) => answerFailure(runtime, request, response, error),
      )
    },
    answerHot(method, url, body) {
      const startedMs = metrics === null ? 0 : performance.now()
      if (method === 'GET' && body === undefined && AnswerCache.cacheable(method, url)) {
        const kept = answers.get(idOf(url), store.state.applied)
        if (kept === undefined)
          return answerCounted(method, url, startedMs, (matched) =>
            answerOf(method, url, () => Promise.resolve(undefined), matched),
          )
        metrics?.answered(method, idRoutePath, 200, (performance.now() - startedMs) / 1000)
        return { status: 200, body: kept }
      }
      if (method !== 'POST' || body === undefined || !AnswerCache.isLookup(method, url)) return null
      let bodyText: string | undefined
      try {
        bodyText = checkedBodyText(body.text, body.contentType)
      } catch (error) {
        return answerCounted(method, url, startedMs, () => Promise.reject(error))
      }
      const matched = { route: 'unmatched' }
      const answer = answerLookup(url, bodyText, matched)
      if (answer instanceof Promise)
        return answerCounted(method, url, startedMs, (counted) => {
          counted.route = matched.route
          return answer
        })
      metrics?.answered(method, lookupRoute, 200, (performance.now() - startedMs) / 1000)
      return answer
    },
  }
}

/** The id of a `GET /schemas/ids/{id}` URL that `AnswerCache.cacheable` accepted. */
const idOf = (url: string): number => Number(url.slice(idPathPrefix.length))

/** The route and params of a request, its query parsed; a context path rewritten (contexts.ts). */
function routed(router: Router, method: string, rawUrl: string): RouteMatch & { query: URLSearchParams } {
  const url = new URL(rawUrl, 'http://registry')
  const pathname = rewriteContextPath(url.pathname, url.searchParams)
  return { ...router.match(method, pathname), query: url.searchParams }
}

/** The answer to a request that failed: Confluent's error body; 500 / 50001 (logged) for an unexpected error. */
function failureAnswer(
  runtime: RegistryRuntime,
  method: string,
  url: string,
  error: unknown,
): RegistryAnswer {
  if (!(error instanceof RegistryError))
    runtime.log.error({ err: error, method, url }, 'registry request failed')
  const failure =
    error instanceof RegistryError
      ? error
      : storeError(`Error in the backend data store: ${(error as Error).message}`)
  return {
    status: failure.status,
    body: JSON.stringify({ error_code: failure.errorCode, message: failure.message }),
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
