// /health, /ready and /metrics, answered by the bare node:http server without the fastify app.
//
// These are what orchestrators and Prometheus call every few seconds from the moment the process
// starts; serving them here means the admin API's fastify app (fastify, ajv, the route schemas: the
// largest part of the HTTP port's memory and start-up CPU) is built only when an /api request or a
// WebSocket tail first needs it. Answers are the same as the app gave (JSON bodies, status codes,
// Prometheus text with its content type).

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpContext } from './context.ts'

const jsonContentType = 'application/json; charset=utf-8'

function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': jsonContentType, 'content-length': Buffer.byteLength(text) })
  response.end(request.method === 'HEAD' ? undefined : text)
}

function sendMetrics(request: IncomingMessage, response: ServerResponse, context: HttpContext): void {
  context.metrics.exposition().then(
    (text) => {
      response.writeHead(200, {
        'content-type': context.metrics.registry.contentType,
        'content-length': Buffer.byteLength(text),
      })
      response.end(request.method === 'HEAD' ? undefined : text)
    },
    (error: unknown) => {
      context.log.error({ err: error }, 'collecting metrics failed')
      sendJson(request, response, 500, { code: 'INTERNAL_ERROR', message: (error as Error).message })
    },
  )
}

/** Answers the request when it is one of the probes (true); false leaves it to the app. */
export function answerProbe(
  request: IncomingMessage,
  response: ServerResponse,
  context: HttpContext,
): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const path = (request.url ?? '').split('?', 1)[0]
  switch (path) {
    case '/health':
      sendJson(request, response, 200, { status: 'ok' })
      return true
    case '/ready': {
      const ready = context.ready()
      const status = ready ? 'ready' : context.stopping() ? 'stopping' : 'starting'
      sendJson(request, response, ready ? 200 : 503, { status })
      return true
    }
    case '/metrics':
      sendMetrics(request, response, context)
      return true
    default:
      return false
  }
}
