// Goal: the connection answers pipelined requests strictly in request order even when later
// requests finish first, sends nothing for requests that get no response (acks=0), and closes
// idle connections.
// Method: a router with test handlers whose answer time is chosen by the request (Metadata with N
// topics answers after (3 - N) * 20 ms; Produce never answers) behind a real TCP listener; frames
// are encoded with the generated codecs and read back from a raw socket.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { after, before, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { defineHandler, noResponse } from '../../src/broker/handler.ts'
import { Router } from '../../src/broker/router.ts'
import { type KafkaListener, listen } from '../../src/broker/server.ts'
import { defaultBrokerLimits } from '../../src/config/limits.ts'
import { ZERO_UUID } from '../../src/protocol/codec-helpers.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import {
  createDefaultMetadataRequest,
  encodeMetadataRequestV1,
} from '../../src/protocol/generated/metadata-request.ts'
import {
  createDefaultProduceRequest,
  encodeProduceRequestV3,
} from '../../src/protocol/generated/produce-request.ts'
import { encodeRequestHeaderV1 } from '../../src/protocol/generated/request-header.ts'
import { Writer } from '../../src/protocol/writer.ts'
import { memoryRouterServices } from '../helpers/router-services.ts'

const slowMetadata = defineHandler({
  apiKey: ApiKey.Metadata,
  versions: { min: 0, max: 12 },
  async handle(_context, request) {
    await sleep((3 - (request.topics?.length ?? 0)) * 20)
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

const silentProduce = defineHandler({
  apiKey: ApiKey.Produce,
  versions: { min: 0, max: 11 },
  async handle() {
    return noResponse
  },
})

let listener: KafkaListener
let idleListener: KafkaListener

before(async () => {
  const services = memoryRouterServices()
  const { log } = services
  const router = new Router([slowMetadata, silentProduce], services)
  // The pipelining test keeps the default idle limit: on a loaded machine its slow handlers can take
  // longer than a short idle limit, which closed its connection mid-test. Only the idle test's own
  // listener closes connections after 300 ms.
  listener = await listen({ host: '127.0.0.1', port: 0, router, limits: defaultBrokerLimits, log })
  const idleLimits = { ...defaultBrokerLimits, connectionsMaxIdleMs: 300 }
  idleListener = await listen({ host: '127.0.0.1', port: 0, router, limits: idleLimits, log })
})

after(async () => {
  await listener.close()
  await idleListener.close()
})

function frame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: (writer: Writer) => void,
): Buffer {
  const writer = new Writer()
  encodeRequestHeaderV1(writer, {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: 'test',
  })
  body(writer)
  const bytes = writer.toBuffer()
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(bytes.length)
  return Buffer.concat([prefix, bytes])
}

function metadataFrame(correlationId: number, topicCount: number): Buffer {
  const request = createDefaultMetadataRequest()
  request.topics = Array.from({ length: topicCount }, (_, index) => ({
    topicId: ZERO_UUID,
    name: `t${index}`,
  }))
  return frame(ApiKey.Metadata, 1, correlationId, (writer) => encodeMetadataRequestV1(writer, request))
}

function silentProduceFrame(correlationId: number): Buffer {
  const request = { ...createDefaultProduceRequest(), acks: 0 }
  return frame(ApiKey.Produce, 3, correlationId, (writer) => encodeProduceRequestV3(writer, request))
}

/** Reads `count` response frames and returns their correlation ids (response header v0). */
async function readCorrelationIds(socket: Socket, count: number): Promise<number[]> {
  const ids: number[] = []
  let buffered = Buffer.alloc(0)
  for await (const chunk of socket) {
    buffered = Buffer.concat([buffered, chunk as Buffer])
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      ids.push(buffered.readInt32BE(4))
      buffered = buffered.subarray(4 + buffered.readInt32BE(0))
    }
    if (ids.length >= count) break
  }
  return ids
}

it('answers pipelined requests in request order, skipping those with no response', async () => {
  const socket = connect(listener.port, '127.0.0.1')
  await once(socket, 'connect')
  // Request 1 is the slowest (0 topics: 60 ms), request 3 the fastest (2 topics: 20 ms).
  socket.write(
    Buffer.concat([
      metadataFrame(1, 0),
      silentProduceFrame(2),
      metadataFrame(3, 2),
      metadataFrame(4, 1),
      silentProduceFrame(5),
      metadataFrame(6, 3),
    ]),
  )
  assert.deepEqual(await readCorrelationIds(socket, 4), [1, 3, 4, 6])
  socket.destroy()
})

it('closes a connection that stays idle past connections.max.idle.ms', async () => {
  const socket = connect(idleListener.port, '127.0.0.1')
  await once(socket, 'connect')
  const closed = once(socket, 'close')
  const outcome = await Promise.race([closed.then(() => 'closed'), sleep(10_000).then(() => 'still open')])
  assert.equal(outcome, 'closed')
})
