// Goal: the HTTP port's two-step start (server.ts) loses nothing: the port answers as soon as
// startHttpServer resolves, before the app is built; a request or a WebSocket upgrade that arrives
// before the build is served once it is done; close() works before, during and after the build.
// Method: startHttpServer with a context whose broker is not started; real HTTP requests (fetch) and a
// real WebSocket client (ws, fastify's own dependency); exact statuses and bodies.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import WebSocket from 'ws'
import { createLogger } from '../log.ts'
import { BrokerMetrics } from '../metrics/broker-metrics.ts'
import type { HttpContext } from './context.ts'
import { startHttpServer } from './server.ts'

function context(): HttpContext {
  return {
    version: '0.0.0-test',
    log: createLogger('silent'),
    metrics: new BrokerMetrics({ version: '0.0.0-test', processMetrics: false }),
    broker: () => null,
    ready: () => false,
    stopping: () => false,
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() }
}

describe('HTTP port start-up', () => {
  test('requests before the app is built are answered once it is', async () => {
    const http = await startHttpServer({ host: '127.0.0.1', port: 0, context: context() })
    try {
      const base = `http://${http.host}:${http.port}`
      // No warm(): the first requests build the app themselves, concurrently.
      const [health, ready, missing] = await Promise.all([
        getJson(`${base}/health`),
        getJson(`${base}/ready`),
        getJson(`${base}/api/v1/topics`),
      ])
      assert.deepStrictEqual(health, { status: 200, body: { status: 'ok' } })
      assert.deepStrictEqual(ready, { status: 503, body: { status: 'starting' } })
      assert.deepStrictEqual(missing, {
        status: 503,
        body: { code: 'NOT_READY', message: 'the broker is starting' },
      })
    } finally {
      await http.close()
    }
  })

  test('a WebSocket upgrade before the app is built reaches the tail route', async () => {
    const http = await startHttpServer({ host: '127.0.0.1', port: 0, context: context() })
    try {
      const socket = new WebSocket(`ws://${http.host}:${http.port}/api/v1/topics/orders/tail`)
      const first = await new Promise<{ data: string; code: number }>((resolve, reject) => {
        let data = ''
        socket.on('message', (message) => {
          data = String(message)
        })
        socket.on('close', (code) => resolve({ data, code }))
        socket.on('error', reject)
      })
      assert.deepStrictEqual(JSON.parse(first.data), {
        error: { code: 'NOT_READY', message: 'broker starting' },
      })
      assert.equal(first.code, 1013)
    } finally {
      await http.close()
    }
  })

  test('close() before, during and after the build', async () => {
    const never = await startHttpServer({ host: '127.0.0.1', port: 0, context: context() })
    await never.close()
    await never.warm() // after close: does not build
    const during = await startHttpServer({ host: '127.0.0.1', port: 0, context: context() })
    const warming = during.warm()
    await during.close()
    await warming
    const after = await startHttpServer({ host: '127.0.0.1', port: 0, context: context() })
    await after.warm()
    assert.deepStrictEqual(await getJson(`http://${after.host}:${after.port}/health`), {
      status: 200,
      body: { status: 'ok' },
    })
    await after.close()
    await assert.rejects(fetch(`http://${after.host}:${after.port}/health`))
  })
})
