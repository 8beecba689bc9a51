// Goal: a response that fails to encode is never written, so the router releases the records it
// would have streamed (a Fetch slice retains a log segment until released); the error still reaches
// the connection (which answers it by closing, as for any request that throws).
// Method: a Router with a Fetch handler that answers version 4 with a session id (a v7+ field: the
// generated encoder refuses it) and one partition whose records are a deferred stand-in counting its
// releases; the frame is encoded with the generated codecs and routed directly. The same stand-in in
// an encodable answer is not released by the router (the connection streams it, then releases it).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { defineHandler } from '../../src/broker/handler.ts'
import { Router } from '../../src/broker/router.ts'
import { ZERO_UUID } from '../../src/protocol/codec-helpers.ts'
import { type ByteSink, deferredBytesField, deferredSourceOf } from '../../src/protocol/deferred-bytes.ts'
import {
  createDefaultFetchRequest,
  encodeFetchRequestV4,
} from '../../src/protocol/generated/fetch-request.ts'
import {
  createDefaultFetchResponse,
  type FetchResponse,
} from '../../src/protocol/generated/fetch-response.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { encodeRequestHeaderV1 } from '../../src/protocol/generated/request-header.ts'
import { Writer } from '../../src/protocol/writer.ts'
import { memoryRouterServices } from '../helpers/router-services.ts'

/** A deferred records field of 10 bytes that counts its releases. */
function countingRecords(): { field: Buffer; releases: () => number } {
  let releases = 0
  const field = deferredBytesField({
    length: 10,
    async writeTo(sink: ByteSink) {
      sink.write(Buffer.alloc(10), () => {})
    },
    discard() {
      releases += 1
    },
  })
  return { field, releases: () => releases }
}

function fetchAnswer(records: Buffer, sessionId: number): FetchResponse {
  const response = createDefaultFetchResponse()
  response.sessionId = sessionId
  response.responses = [
    {
      topic: 't',
      topicId: ZERO_UUID,
      partitions: [
        {
          partitionIndex: 0,
          errorCode: 0,
          highWatermark: 1n,
          lastStableOffset: 1n,
          logStartOffset: 0n,
          divergingEpoch: { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: [],
          preferredReadReplica: -1,
          records,
        },
      ],
    },
  ]
  return response
}

function routerAnswering(answer: () => FetchResponse): Router {
  const handler = defineHandler({
    apiKey: ApiKey.Fetch,
    versions: { min: 0, max: 17 },
    async handle() {
      return answer()
    },
  })
  return new Router([handler], memoryRouterServices())
}

function fetchV4Frame(): Buffer {
  const writer = new Writer()
  encodeRequestHeaderV1(writer, {
    requestApiKey: ApiKey.Fetch,
    requestApiVersion: 4,
    correlationId: 7,
    clientId: 'test',
  })
  encodeFetchRequestV4(writer, createDefaultFetchRequest())
  return writer.toBuffer()
}

it('releases the streamed records of a response that fails to encode, and rethrows', async () => {
  const records = countingRecords()
  const router = routerAnswering(() => fetchAnswer(records.field, 5))
  await assert.rejects(router.route(fetchV4Frame(), { clientAddress: '127.0.0.1' }), {
    message: 'FetchResponse.sessionId is not supported in version 4',
  })
  assert.equal(records.releases(), 1)
})

it('leaves the streamed records of an encodable response to the connection', async () => {
  const records = countingRecords()
  const router = routerAnswering(() => fetchAnswer(records.field, 0))
  const chunks = await router.route(fetchV4Frame(), { clientAddress: '127.0.0.1' })
  assert.ok(
    chunks?.some((chunk) => deferredSourceOf(chunk) !== undefined),
    'the stand-in is among the chunks',
  )
  assert.equal(records.releases(), 0)
})
