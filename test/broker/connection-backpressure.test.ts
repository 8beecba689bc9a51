// Goal: a connection stops reading its socket while it holds connectionBufferedBytesMax bytes of
// unanswered requests (instead of buffering without bound), reads on once they are answered, and
// stays muted for a quota throttle time (KIP-219) before reading the next request.
// Method: a router whose Produce handler waits until the test releases it (a latch), behind a real
// TCP listener with connectionBufferedBytesMax = 1 MiB. The client pipelines ten 300 KB Produce
// frames (acks=0, no responses): exactly four may be read (the fourth takes the held bytes past
// 1 MiB), however long the test waits; after release all ten arrive. The mute is called through
// the ConnectionInfo the router receives; a request sent during the mute is handled only after it
// (a lower bound on time only).

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { after, before, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { defineHandler, noResponse } from '../../src/broker/handler.ts'
import { type ConnectionInfo, Router } from '../../src/broker/router.ts'
import { type KafkaListener, listen } from '../../src/broker/server.ts'
import { defaultBrokerLimits } from '../../src/config/limits.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { createDefaultMetadataRequest } from '../../src/protocol/generated/metadata-request.ts'
import { createDefaultProduceRequest } from '../../src/protocol/generated/produce-request.ts'
import { encodeRequest } from '../helpers/kafka-codec-client.ts'
import { memoryRouterServices } from '../helpers/router-services.ts'

const frameBytes = 300 * 1024
const frames = 10

let handled = 0
let release: () => void = () => {}
let released = new Promise<void>((resolve) => {
  release = resolve
})
/** Every request handled, with the time and the connection it came from. */
const arrivals: Array<{ atMs: number; connection: ConnectionInfo }> = []

const heldProduce = defineHandler({
  apiKey: ApiKey.Produce,
  versions: { min: 0, max: 11 },
  async handle() {
    handled += 1
    await released
    return noResponse
  },
})

/** Metadata here only records when it arrived (the mute test). */
const recordingMetadata = defineHandler({
  apiKey: ApiKey.Metadata,
  versions: { min: 0, max: 12 },
  async handle() {
    return {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: [],
      clusterAuthorizedOperations: -2147483648,
    }
  },
})

class RecordingRouter extends Router {
  override route(frame: Buffer, connection: ConnectionInfo) {
    arrivals.push({ atMs: performance.now(), connection })
    return super.route(frame, connection)
  }
}

let listener: KafkaListener

before(async () => {
  const services = memoryRouterServices()
  const { log } = services
  const router = new RecordingRouter([heldProduce, recordingMetadata], services)
  const limits = { ...defaultBrokerLimits, connectionBufferedBytesMax: 1024 * 1024 }
  listener = await listen({ host: '127.0.0.1', port: 0, router, limits, log })
})

after(() => listener.close())

function produceFrame(correlationId: number): Buffer {
  const records = Buffer.alloc(frameBytes, 1) // never decoded as records: the handler ignores them
  return encodeRequest(ApiKey.Produce, 3, correlationId, {
    ...createDefaultProduceRequest(),
    acks: 0,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  })
}

it('stops reading past connectionBufferedBytesMax and reads on once requests are answered', async () => {
  const socket = connect(listener.port, '127.0.0.1')
  await once(socket, 'connect')
  try {
    socket.write(Buffer.concat(Array.from({ length: frames }, (_, index) => produceFrame(index + 1))))
    // Four frames are read (1.2 MB held ≥ 1 MiB), then nothing more, however long we wait.
    for (let waited = 0; waited < 250 && handled < 4; waited++) await sleep(20)
    await sleep(300)
    assert.equal(handled, 4)
    release()
    for (let waited = 0; waited < 250 && handled < frames; waited++) await sleep(20)
    assert.equal(handled, frames)
  } finally {
    socket.destroy()
  }
})

it('a muted connection reads nothing until the throttle time has passed', async () => {
  released = Promise.resolve()
  const socket = connect(listener.port, '127.0.0.1')
  await once(socket, 'connect')
  try {
    const metadata = (correlationId: number) =>
      encodeRequest(ApiKey.Metadata, 1, correlationId, { ...createDefaultMetadataRequest(), topics: [] })
    const before = arrivals.length
    socket.write(metadata(1))
    for (let waited = 0; waited < 250 && arrivals.length === before; waited++) await sleep(20)
    const first = arrivals[arrivals.length - 1]
    first.connection.mute?.(500)
    const mutedAtMs = performance.now()
    socket.write(metadata(2))
    for (let waited = 0; waited < 250 && arrivals.length < before + 2; waited++) await sleep(20)
    assert.equal(arrivals.length, before + 2)
    assert.ok(arrivals[arrivals.length - 1].atMs - mutedAtMs >= 450, 'read while muted')
  } finally {
    socket.destroy()
  }
})
