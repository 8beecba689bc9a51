// Goal: the test helpers themselves parse what they claim to, so a compatibility or fuzz failure
// points at the broker, not at the harness.
// Method: fixed inputs with known results: pino lines for readiness, a byte stream split into
// frames at every offset, and a hand-assembled ApiVersions v3 response.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseListeningLine } from './broker-process.ts'
import { apiVersionsRequest, decodeApiVersionsResponse, FrameSplitter } from './raw-kafka.ts'

test('parseListeningLine finds only the broker-listening JSON line', () => {
  const line =
    '{"level":30,"time":1,"service":"streamline","host":"127.0.0.1","port":40123,"msg":"broker listening"}'
  assert.deepEqual(parseListeningLine(line), { host: '127.0.0.1', port: 40123 })
  assert.equal(parseListeningLine('{"level":30,"msg":"starting"}'), null)
  assert.equal(parseListeningLine('{"msg":"broker listening","host":"127.0.0.1"}'), null)
  assert.equal(parseListeningLine('broker listening on 127.0.0.1:9092'), null)
  assert.equal(parseListeningLine('{not json'), null)
})

test('FrameSplitter yields the same frames whatever the chunking', () => {
  const frames = [apiVersionsRequest(0, 1), apiVersionsRequest(3, 2), apiVersionsRequest(1, 3)]
  const stream = Buffer.concat(frames)
  for (let cut = 0; cut <= stream.length; cut++) {
    const splitter = new FrameSplitter()
    const seen = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))]
    assert.deepEqual(
      seen,
      frames.map((frame) => frame.subarray(4)),
    )
    assert.equal(splitter.pendingBytes, 0)
  }
})

test('decodeApiVersionsResponse reads a v3 body and rejects trailing bytes', () => {
  // error 0, 2 entries (compact: 3), [18 0..3, tags 0], [3 0..12, tags 0], throttle 0, tags 0
  const body = Buffer.from([0, 0, 3, 0, 18, 0, 0, 0, 3, 0, 0, 3, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0])
  assert.deepEqual(decodeApiVersionsResponse(body, 3), {
    errorCode: 0,
    apiKeys: [
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
      { apiKey: 3, minVersion: 0, maxVersion: 12 },
    ],
    throttleTimeMs: 0,
  })
  assert.throws(() => decodeApiVersionsResponse(Buffer.concat([body, Buffer.from([0])]), 3), RangeError)
})
