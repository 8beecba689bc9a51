// Goal: the registry workload's C load generator (bench/suite/native/http-open-loop.c) counts what
// it must and never hangs: every request answered with a Content-Length answer is a sample; an answer
// without Content-Length, a non-200 status, or a connection closed mid-request is a failure; a
// server that never answers ends the process within its stall bound instead of hanging the bench.
// Method: build it as the bench does (load/native-build.ts), drive it through registry-load-native.ts
// against small node:net servers that answer each request head in one chosen way. Without a C
// compiler the tests skip (the bench then falls back to the Node generator); with CI=true they fail.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { test } from 'node:test'
import { buildNative } from '../../bench/suite/load/native-build.ts'
import { NativeLoadProcess } from '../../bench/suite/workloads/registry-load-native.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'

const scratchDir = await makeTempDir('streamline-http-open-loop-')
const build = await buildNative('http-open-loop', scratchDir)
const missing = 'missing' in build ? build.missing : null
if (missing !== null && process.env.CI === 'true') throw new Error(`CI=true needs a C compiler: ${missing}`)
test.after(() => removeTempDir(scratchDir))

/** A server calling `answer` for every request head it reads (GETs: no body). */
async function serve(answer: (socket: Socket) => void): Promise<{ server: Server; base: string }> {
  const server = createServer((socket) => {
    let pending = ''
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1')
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        pending = pending.slice(end + 4)
        answer(socket)
      }
    })
    socket.on('error', () => socket.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('no address')
  return { server, base: `http://127.0.0.1:${address.port}` }
}

/** 40 GETs at 400/s through the generator (a fresh process) against `answer`'s server. */
async function runAgainst(answer: (socket: Socket) => void) {
  if ('missing' in build) throw new Error(build.missing)
  const { server, base } = await serve(answer)
  const generator = new NativeLoadProcess(build.binary, base, scratchDir)
  try {
    return await generator.openLoop({ request: 'getById', rate: 400, seconds: 0.1, schemaCount: 5 })
  } finally {
    await generator.close()
    server.close()
  }
}

const ok = (status: string, headers: string, body: string): string =>
  `HTTP/1.1 ${status}\r\n${headers}Content-Type: application/json\r\n\r\n${body}`

test('answers with a Content-Length are samples, each from its scheduled time', {
  skip: missing ?? false,
}, async () => {
  const result = await runAgainst((socket) => socket.write(ok('200 OK', 'Content-Length: 2\r\n', '{}')))
  assert.equal(result.samples, 40)
  assert.equal(result.failures, 0)
  assert.ok(result.p50Ms > 0 && result.p50Ms <= result.p99Ms && result.p99Ms <= result.maxMs)
  assert.ok(result.achievedPerSec > 200, `achieved ${result.achievedPerSec}/s`)
})

test('an answer in two writes is one sample, taken when its body is whole', {
  skip: missing ?? false,
}, async () => {
  const result = await runAgainst((socket) => {
    socket.write(ok('200 OK', 'Content-Length: 4\r\n', '{"'))
    setTimeout(() => socket.write('a}'), 5)
  })
  assert.equal(result.samples, 40)
  assert.equal(result.failures, 0)
  assert.ok(result.p50Ms >= 4, `p50 ${result.p50Ms} ms`)
})

test('a non-200 status is a failure with its latency kept', { skip: missing ?? false }, async () => {
  const result = await runAgainst((socket) =>
    socket.write(ok('404 Not Found', 'Content-Length: 2\r\n', '{}')),
  )
  assert.equal(result.samples, 40)
  assert.equal(result.failures, 40)
  assert.equal(result.firstFailure, 'status 404')
})

test('an answer without Content-Length fails its request and the run ends', {
  skip: missing ?? false,
}, async () => {
  const result = await runAgainst((socket) => socket.write(ok('200 OK', '', '{}')))
  assert.equal(result.samples, 0)
  assert.equal(result.failures, 40)
  assert.equal(result.firstFailure, 'an answer without Content-Length')
})

test('a chunked answer is a failure too', { skip: missing ?? false }, async () => {
  const result = await runAgainst((socket) =>
    socket.write(ok('200 OK', 'Transfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n')),
  )
  assert.equal(result.samples, 0)
  assert.equal(result.failures, 40)
  assert.equal(result.firstFailure, 'an answer with Transfer-Encoding')
})

test('a connection closed with a request in flight fails that request', {
  skip: missing ?? false,
}, async () => {
  const result = await runAgainst((socket) => socket.destroy())
  assert.equal(result.samples, 0)
  assert.equal(result.failures, 40)
  assert.equal(result.firstFailure, 'the server closed the connection')
})

test('a server that never answers ends the generator within its stall bound', {
  skip: missing ?? false,
}, async () => {
  const started = performance.now()
  await assert.rejects(
    runAgainst(() => {}),
    /the C load generator exited \(3\) mid-phase: http-open-loop: no answer for 5 s \(the server stalled\)/,
  )
  assert.ok(performance.now() - started < 8000)
})
