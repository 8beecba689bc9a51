// Goal: bad input on some connections never hurts the broker or other connections (DESIGN.md
// principle 4; issue 2 "done when"). A malformed frame, an oversized or negative size prefix, an
// unknown API key or an undecodable body closes that one connection; a truncated frame waits for
// the rest (or for the client to go away); the broker process stays up; and a real client on its
// own connection sees no failure throughout.
// Method: the broker runs as a CLI child process. A kafkajs admin polls describeCluster() every
// ~100 ms for the whole file and records any failure or wrong answer. Meanwhile raw sockets send:
// random bytes (fast-check, then the socket is ended); size prefixes 2^31-1, -1, -2^31, 0 and
// limit+1 (the broker must close without waiting for a body); valid prefixes with garbage bodies
// (any answer must echo the frame's correlation id, and the connection must close once ended);
// unknown API keys, out-of-range versions and undecodable bodies of known APIs (must be closed by
// the broker); a valid ApiVersions request cut at every byte offset, then ended (closed, no answer)
// or left idle; and the same request split at every offset and completed (answered correctly).
// After each group the good client must complete another poll; at the end, the broker must be alive
// and have logged no fatal line. Every wait is bounded; no assertion depends on speed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import fc from 'fast-check'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { connectKafkajsAdmin, type TestAdmin } from '../helpers/kafkajs.ts'
import {
  apiKeyApiVersions,
  apiKeyMetadata,
  apiVersionsRequest,
  decodeApiVersionsResponse,
  encodeRequestFrame,
  RawConnection,
} from '../helpers/raw-kafka.ts'

const closeWaitMs = 15_000
const pollIntervalMs = 100
const pollProgressWaitMs = 30_000
const requestBytesMax = 100 * 1024 * 1024 // socket.request.max.bytes default
const randomRuns = 25

/** Keeps a real client busy on its own connection and records anything that goes wrong. */
class GoodClientPoller {
  readonly failures: string[] = []
  successes = 0
  #stopped = false
  #loop: Promise<void> | undefined

  constructor(
    readonly client: TestAdmin,
    readonly expected: () => object,
  ) {}

  start(): void {
    this.#loop = this.#run()
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const cluster = await this.client.admin.describeCluster()
        assert.deepEqual(cluster, this.expected())
        this.successes++
      } catch (error) {
        this.failures.push(error instanceof Error ? error.message : String(error))
      }
      await sleep(pollIntervalMs)
    }
  }

  /** Waits (bounded) until the client has completed one more poll than now. */
  async madeProgress(): Promise<boolean> {
    const target = this.successes + 1
    const deadline = Date.now() + pollProgressWaitMs
    while (this.successes < target && Date.now() < deadline && this.failures.length === 0) {
      await sleep(20)
    }
    return this.successes >= target
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.#loop
  }
}

function int32Frame(size: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(size | 0)
  return Buffer.concat([prefix, body])
}

let broker: BrokerProcess
let good: TestAdmin | undefined
let poller: GoodClientPoller | undefined
let clusterId = ''
const idle: RawConnection[] = []

before(async () => {
  broker = await startBrokerProcess()
  good = await connectKafkajsAdmin(broker.bootstrap)
  clusterId = (await good.admin.describeCluster()).clusterId
  poller = new GoodClientPoller(good, () => ({
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: broker.port }],
    controller: 0,
    clusterId,
  }))
  poller.start()
})

after(async () => {
  for (const connection of idle) connection.destroy()
  await poller?.stop()
  await good?.admin.disconnect()
  await broker?.stop()
})

async function goodClientStillWorks(): Promise<void> {
  assert.ok(
    await poller!.madeProgress(),
    `good client made no progress; failures: ${poller!.failures.join('; ')}`,
  )
  assert.deepEqual(poller!.failures, [])
  assert.ok(broker.isAlive(), `broker exited\n${broker.output()}`)
}

/** Sends `bytes` on a fresh connection and expects the broker to close it on its own. */
async function expectClosedByBroker(bytes: Uint8Array, what: string): Promise<RawConnection> {
  const connection = await RawConnection.open(broker.host, broker.port)
  await connection.write(bytes)
  const closed = await connection.waitForClose(closeWaitMs)
  connection.destroy()
  assert.ok(closed, `${what}: broker kept the connection open for ${closeWaitMs} ms`)
  return connection
}

test('random bytes, then the client ends the socket: the connection closes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
      const connection = await RawConnection.open(broker.host, broker.port)
      await connection.write(bytes)
      connection.end()
      const closed = await connection.waitForClose(closeWaitMs)
      connection.destroy()
      assert.ok(closed, 'connection still open after the client ended it')
    }),
    { numRuns: randomRuns },
  )
  await goodClientStillWorks()
})

test('size prefixes that are negative, zero or over the limit: closed without waiting for a body', async () => {
  const prefixes = [0x7fffffff, -1, -0x80000000, 0, requestBytesMax + 1]
  const connections = await Promise.all(
    prefixes.map((size) => expectClosedByBroker(int32Frame(size), `size prefix ${size}`)),
  )
  for (const [index, connection] of connections.entries()) {
    assert.deepEqual(connection.frames, [], `size prefix ${prefixes[index]} got a response`)
  }
  await goodClientStillWorks()
})

test('unknown API keys, and versions of known APIs out of range: the connection is closed', async () => {
  const cases: Array<[number, number]> = [
    [-1, 0],
    [-32768, 0],
    [1000, 0],
    [32767, 0],
    [apiKeyMetadata, 13],
    [apiKeyMetadata, -1],
    [apiKeyMetadata, 32767],
  ]
  const connections = await Promise.all(
    cases.map(([apiKey, apiVersion]) =>
      expectClosedByBroker(
        encodeRequestFrame({
          apiKey,
          apiVersion,
          correlationId: 42,
          flexibleHeader: false,
          body: Buffer.alloc(8),
        }),
        `API key ${apiKey} v${apiVersion}`,
      ),
    ),
  )
  for (const [index, connection] of connections.entries()) {
    assert.deepEqual(connection.frames, [], `API key ${cases[index][0]} v${cases[index][1]} got a response`)
  }
  await goodClientStillWorks()
})

test('known APIs with undecodable bodies or headers: the connection is closed', async () => {
  const cases: Array<[string, Buffer]> = [
    // Metadata v12: topics array claims 2^31-2 entries, nothing follows.
    [
      'Metadata v12, huge topic count',
      encodeRequestFrame({
        apiKey: apiKeyMetadata,
        apiVersion: 12,
        correlationId: 1,
        flexibleHeader: true,
        body: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07]),
      }),
    ],
    // Metadata v1: topics array of 1 whose name claims 1000 bytes.
    [
      'Metadata v1, topic name past the end',
      encodeRequestFrame({
        apiKey: apiKeyMetadata,
        apiVersion: 1,
        correlationId: 2,
        flexibleHeader: false,
        body: Buffer.from([0, 0, 0, 1, 0x03, 0xe8, 0x61]),
      }),
    ],
    // ApiVersions v3: a varint that never ends.
    [
      'ApiVersions v3, endless varint',
      encodeRequestFrame({
        apiKey: apiKeyApiVersions,
        apiVersion: 3,
        correlationId: 3,
        flexibleHeader: true,
        body: Buffer.alloc(16, 0xff),
      }),
    ],
    // Header cut inside the frame: 3 bytes cannot hold api key, version and correlation id.
    ['3-byte frame', int32Frame(3, Buffer.from([0, 18, 0]))],
    // Client id length past the end of the frame.
    ['client id past the end', int32Frame(10, Buffer.from([0, 18, 0, 0, 0, 0, 0, 4, 0x7f, 0xff]))],
  ]
  const connections = await Promise.all(cases.map(([what, bytes]) => expectClosedByBroker(bytes, what)))
  for (const [index, connection] of connections.entries()) {
    assert.deepEqual(connection.frames, [], `${cases[index][0]} got a response`)
  }
  await goodClientStillWorks()
})

test('valid size prefix, random body: any answer echoes the correlation id; closed once ended', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (body) => {
      const connection = await RawConnection.open(broker.host, broker.port)
      await connection.write(int32Frame(body.length, body))
      // Give the broker a bounded chance to answer or close on its own, then end our side.
      await connection.waitFor(() => connection.closed || connection.frames.length > 0, 200)
      connection.end()
      const closed = await connection.waitForClose(closeWaitMs)
      connection.destroy()
      assert.ok(closed, 'connection still open after the client ended it')
      assert.ok(connection.frames.length <= 1, `${connection.frames.length} answers to one frame`)
      if (connection.frames.length === 1) {
        assert.ok(body.length >= 8, 'answered a frame too short for a request header')
        assert.equal(connection.frames[0].correlationId, Buffer.from(body).readInt32BE(4))
      }
    }),
    { numRuns: randomRuns },
  )
  await goodClientStillWorks()
})

test('a valid request cut at every offset: ended sockets close unanswered, idle ones stay quiet', async () => {
  const request = apiVersionsRequest(3, 77)
  const cuts = Array.from({ length: request.length - 1 }, (_, index) => index + 1)
  const ended = await Promise.all(
    cuts.map(async (cut) => {
      const connection = await RawConnection.open(broker.host, broker.port)
      await connection.write(request.subarray(0, cut))
      connection.end()
      return { cut, connection, closed: await connection.waitForClose(closeWaitMs) }
    }),
  )
  for (const { cut, connection, closed } of ended) {
    connection.destroy()
    assert.ok(closed, `cut at ${cut}: still open after the client ended it`)
    assert.deepEqual(connection.frames, [], `cut at ${cut}: answered a partial request`)
  }
  for (const cut of cuts) {
    const connection = await RawConnection.open(broker.host, broker.port)
    await connection.write(request.subarray(0, cut))
    idle.push(connection) // destroyed in after(); meanwhile the broker must keep serving others
  }
  await goodClientStillWorks()
  for (const [index, connection] of idle.entries()) {
    assert.deepEqual(connection.frames, [], `idle cut at ${cuts[index]}: answered a partial request`)
  }
})

test('a valid request split at every offset and completed: every part answered correctly', async () => {
  const connection = await RawConnection.open(broker.host, broker.port)
  try {
    const length = apiVersionsRequest(3, 0).length
    for (let cut = 1; cut < length; cut++) {
      const request = apiVersionsRequest(3, 5000 + cut)
      await connection.write(request.subarray(0, cut))
      await sleep(2) // let the first part arrive on its own
      await connection.write(request.subarray(cut))
      assert.ok(await connection.waitForFrames(cut, closeWaitMs), `split at ${cut}: no answer`)
      const frame = connection.frames[cut - 1]
      assert.equal(frame.correlationId, 5000 + cut)
      assert.equal(decodeApiVersionsResponse(frame.rest, 3).errorCode, 0)
    }
    assert.equal(connection.closed, false)
  } finally {
    connection.destroy()
  }
  await goodClientStillWorks()
})

test('the broker is alive, logged nothing fatal, and the good client never failed', async (t) => {
  await goodClientStillWorks()
  t.diagnostic(`good client: ${poller!.successes} describeCluster() calls, all correct`)
  await poller!.stop()
  assert.deepEqual(poller!.failures, [])
  assert.deepEqual(good!.logs, [])
  const fatal = broker
    .output()
    .split('\n')
    .filter((line) => /"level":\s*60\b/.test(line) || /uncaught|unhandled/i.test(line))
  assert.deepEqual(fatal, [])
  assert.ok(broker.isAlive())
})
