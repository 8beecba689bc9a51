// Goal: KIP-511. An ApiVersions request with a version the broker does not know (v127) gets an
// answer a client of any age can read: response header v0, a v0 body with error 35
// (UNSUPPORTED_VERSION) and the broker's API list, so the client can retry with a version the
// broker supports. The connection stays usable for that retry.
// Method: raw TCP socket, hand-written request (header v2, as a client that believes v127 is
// flexible would send, with a v3-style body), hand-written v0 decoding that must consume every
// byte; then a v3 request on the same connection.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import {
  apiKeyApiVersions,
  apiKeyMetadata,
  apiVersionsRequest,
  decodeApiVersionsResponse,
  encodeRequestFrame,
  errorUnsupportedVersion,
  RawConnection,
} from '../../helpers/raw-kafka.ts'

const responseWaitMs = 20_000

// v3-style body: compact client software name and version, no tagged fields.
const v3StyleBody = Buffer.from([16, ...Buffer.from('streamline-test'), 6, ...Buffer.from('0.0.1'), 0])

describe('ApiVersions with an unknown version (KIP-511)', () => {
  let broker: BrokerProcess

  before(async () => {
    broker = await startBrokerProcess()
  })

  after(async () => {
    await broker?.stop()
  })

  test('v127 gets a v0 response with UNSUPPORTED_VERSION and the API list, then v3 works', async () => {
    const connection = await RawConnection.open(broker.host, broker.port)
    try {
      const unknownVersion = encodeRequestFrame({
        apiKey: apiKeyApiVersions,
        apiVersion: 127,
        correlationId: 0x1234567,
        flexibleHeader: true,
        body: v3StyleBody,
      })
      await connection.write(unknownVersion)
      assert.ok(
        await connection.waitForFrames(1, responseWaitMs),
        `no response (closed: ${connection.closed})`,
      )
      const [frame] = connection.frames
      assert.equal(frame.correlationId, 0x1234567)
      // v0 body: error int16, array int32 of (key, min, max) int16 triples, nothing else.
      assert.equal((frame.rest.length - 6) % 6, 0, `v0 body has ${frame.rest.length} bytes`)
      const response = decodeApiVersionsResponse(frame.rest, 0)
      assert.equal(response.errorCode, errorUnsupportedVersion)
      assert.ok(response.apiKeys.length > 0, 'API list is empty')
      const ownRange = response.apiKeys.find((range) => range.apiKey === apiKeyApiVersions)
      assert.equal(ownRange?.minVersion, 0)
      assert.ok((ownRange?.maxVersion ?? 0) >= 3, `ApiVersions max version ${ownRange?.maxVersion}`)

      // The client retries with the highest version both sides know, on the same connection.
      await connection.write(apiVersionsRequest(3, 0x1234568))
      assert.ok(
        await connection.waitForFrames(2, responseWaitMs),
        `no response to v3 (closed: ${connection.closed})`,
      )
      assert.equal(connection.frames[1].correlationId, 0x1234568)
      const retried = decodeApiVersionsResponse(connection.frames[1].rest, 3)
      assert.equal(retried.errorCode, 0)
      assert.equal(retried.throttleTimeMs, 0)
      assert.deepEqual(
        retried.apiKeys.find((range) => range.apiKey === apiKeyMetadata),
        { apiKey: apiKeyMetadata, minVersion: 0, maxVersion: 12 },
      )
    } finally {
      connection.destroy()
    }
  })
})
