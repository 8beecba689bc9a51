// Goal: on one connection, requests sent back to back without waiting are all answered, in request
// order, each with its own correlation id and a body of the right API and version (DESIGN.md:
// "Per-connection responses leave in request order"; PITFALLS.md: pipelining).
// Method: one raw TCP socket; hand-written ApiVersions v0-v3 and Metadata v1-v12 requests (empty
// topic list) interleaved, several rounds, in a single write and then again one small write per
// request; each response is decoded with the hand-written decoders in test/helpers/raw-kafka.ts,
// which must consume every byte.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import {
  apiKeyApiVersions,
  apiKeyMetadata,
  apiVersionsRequest,
  ByteReader,
  decodeApiVersionsResponse,
  decodeMetadataResponse,
  metadataRequest,
  RawConnection,
} from '../../helpers/raw-kafka.ts'

const responseWaitMs = 30_000
const rounds = 8

interface Sent {
  correlationId: number
  apiKey: number
  apiVersion: number
  frame: Buffer
}

function buildRequests(firstCorrelationId: number): Sent[] {
  const sent: Sent[] = []
  let correlationId = firstCorrelationId
  for (let round = 0; round < rounds; round++) {
    for (let apiVersion = 0; apiVersion <= 3; apiVersion++) {
      correlationId += 7 // not consecutive, so an off-by-one in echoing cannot pass by accident
      const frame = apiVersionsRequest(apiVersion, correlationId)
      sent.push({ correlationId, apiKey: apiKeyApiVersions, apiVersion, frame })
    }
    for (let apiVersion = 1; apiVersion <= 12; apiVersion++) {
      correlationId += 7
      sent.push({
        correlationId,
        apiKey: apiKeyMetadata,
        apiVersion,
        frame: metadataRequest(apiVersion, correlationId),
      })
    }
  }
  return sent
}

describe('pipelined requests on one connection', () => {
  let broker: BrokerProcess
  let clusterId: string | null = null

  before(async () => {
    broker = await startBrokerProcess()
  })

  after(async () => {
    await broker?.stop()
  })

  function checkResponse(request: Sent, rest: Buffer): void {
    const what = `${request.apiKey === apiKeyApiVersions ? 'ApiVersions' : 'Metadata'} v${request.apiVersion}`
    if (request.apiKey === apiKeyApiVersions) {
      // ApiVersions responses always use response header v0: the body follows the correlation id.
      const response = decodeApiVersionsResponse(rest, request.apiVersion)
      assert.equal(response.errorCode, 0, what)
      assert.equal(response.throttleTimeMs, request.apiVersion >= 1 ? 0 : null, what)
      const ownRange = response.apiKeys.find((range) => range.apiKey === apiKeyApiVersions)
      assert.equal(ownRange?.minVersion, 0, `${what}: ApiVersions min version`)
      assert.ok((ownRange?.maxVersion ?? 0) >= 3, `${what}: ApiVersions max version below 3`)
      const metadataRange = response.apiKeys.find((range) => range.apiKey === apiKeyMetadata)
      assert.deepEqual(metadataRange, { apiKey: apiKeyMetadata, minVersion: 0, maxVersion: 12 }, what)
      return
    }
    let body = rest
    if (request.apiVersion >= 9) {
      const reader = new ByteReader(rest) // response header v1: tagged fields after the correlation id
      assert.deepEqual(reader.taggedFields(), [], `${what}: response header tags`)
      body = rest.subarray(reader.offset)
    }
    const response = decodeMetadataResponse(body, request.apiVersion)
    clusterId ??= response.clusterId
    assert.deepEqual(
      response,
      {
        throttleTimeMs: request.apiVersion >= 3 ? 0 : null,
        brokers: [{ nodeId: 0, host: '127.0.0.1', port: broker.port, rack: null }],
        clusterId: request.apiVersion >= 2 ? clusterId : null,
        controllerId: 0,
        topicCount: 0,
        clusterAuthorizedOperations: request.apiVersion >= 8 && request.apiVersion <= 10 ? -2147483648 : null,
      },
      what,
    )
  }

  async function sendAndCheck(
    writeAll: (connection: RawConnection, sent: Sent[]) => Promise<void>,
  ): Promise<void> {
    const connection = await RawConnection.open(broker.host, broker.port)
    try {
      const sent = buildRequests(1000)
      await writeAll(connection, sent)
      const complete = await connection.waitForFrames(sent.length, responseWaitMs)
      assert.ok(
        complete,
        `got ${connection.frames.length} of ${sent.length} responses (closed: ${connection.closed}, ` +
          `errors: ${connection.errors.map(String).join('; ')})`,
      )
      assert.deepEqual(
        connection.frames.map((frame) => frame.correlationId),
        sent.map((request) => request.correlationId),
        'responses out of order or with wrong correlation ids',
      )
      sent.forEach((request, index) => {
        checkResponse(request, connection.frames[index].rest)
      })
      assert.ok(clusterId !== null && clusterId.length > 0, 'cluster id is empty')
      assert.equal(connection.closed, false, 'broker closed the connection')
    } finally {
      connection.destroy()
    }
  }

  test('all requests in one write', async () => {
    await sendAndCheck(async (connection, sent) => {
      await connection.write(Buffer.concat(sent.map((request) => request.frame)))
    })
  })

  test('one write per request, none awaited before the next', async () => {
    await sendAndCheck(async (connection, sent) => {
      await Promise.all(sent.map((request) => connection.write(request.frame)))
    })
  })
})
