// Goal: the broker's side of Kafka's SASL protocol, to the error code: before authentication a SASL
// listener answers ApiVersions and closes the connection on Metadata; a wrong password gets
// SASL_AUTHENTICATION_FAILED (58) after connection.failed.authentication.delay.ms and a closed
// connection; SaslAuthenticate without a handshake gets ILLEGAL_SASL_STATE (34); an unknown
// mechanism UNSUPPORTED_SASL_MECHANISM (33) with the enabled list; the legacy exchange after
// SaslHandshake v0 (raw tokens) authenticates and then serves Metadata.
// Method: an in-process broker with one SASL_PLAINTEXT listener and users bootstrapped from a YAML
// file; requests encoded with the generated codecs over a raw socket (test/helpers), so each byte
// the broker sends back is checked, including raw SASL tokens.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { createDefaultApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import {
  CodecClient,
  decodeResponse,
  encodeRequest,
  metadataRequestBody,
} from '../helpers/kafka-codec-client.ts'

const failedAuthenticationDelayMs = 300

async function waitClosed(client: CodecClient, timeoutMs = 5_000): Promise<boolean> {
  await client.connection.waitFor(() => client.connection.closed, timeoutMs).catch(() => {})
  return client.connection.closed
}

describe('SASL protocol on a SASL_PLAINTEXT listener', () => {
  let broker: RunningBroker
  let dir: string
  before(async () => {
    dir = await makeTempDir('streamline-sasl-')
    const usersFile = join(dir, 'users.yaml')
    await writeFile(usersFile, 'users:\n  alice:\n    password: alice-secret\n')
    broker = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      security: { usersFile, failedAuthenticationDelayMs },
    })
  })
  after(async () => {
    await broker?.close()
    await removeTempDir(dir)
  })

  test('before authentication: ApiVersions is answered, Metadata closes the connection', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    const versions = await client.request(ApiKey.ApiVersions, 2, {
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    })
    assert.equal(versions.errorCode, 0)
    const sasl = versions.apiKeys.filter((api) => api.apiKey === 17 || api.apiKey === 36)
    assert.deepEqual(
      sasl.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
      [
        { apiKey: 17, minVersion: 0, maxVersion: 1 },
        { apiKey: 36, minVersion: 0, maxVersion: 2 },
      ],
    )
    await assert.rejects(
      client.request(ApiKey.Metadata, 1, metadataRequestBody(null, true)),
      /the broker closed the connection/,
    )
    assert.equal(client.connection.closed, true)
  })

  test('a wrong password: SASL_AUTHENTICATION_FAILED after the delay, then the connection closes', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    assert.deepEqual(handshake, { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    const startedMs = Date.now()
    const response = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: Buffer.from('\0alice\0wrong-password'),
    })
    const elapsedMs = Date.now() - startedMs
    assert.equal(response.errorCode, 58)
    assert.equal(
      response.errorMessage,
      'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN',
    )
    assert.ok(elapsedMs >= failedAuthenticationDelayMs - 20, `answered after ${elapsedMs} ms`)
    assert.equal(await waitClosed(client), true)
  })

  test('the right password authenticates; Metadata is then served', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    const response = await client.request(ApiKey.SaslAuthenticate, 1, {
      authBytes: Buffer.from('\0alice\0alice-secret'),
    })
    assert.deepEqual(response, {
      errorCode: 0,
      errorMessage: null,
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    })
    const metadata = await client.request(ApiKey.Metadata, 1, metadataRequestBody(null, true))
    assert.deepEqual(
      metadata.brokers.map((entry) => [entry.nodeId, entry.port]),
      [[0, broker.port]],
    )
    // Without connections.max.reauth.ms a PLAIN session has no lifetime: no re-authentication.
    const again = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    assert.equal(again.errorCode, 34)
    client.close()
  })

  test('SaslAuthenticate without a handshake: ILLEGAL_SASL_STATE; an unknown mechanism: UNSUPPORTED_SASL_MECHANISM', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    const early = await client.request(ApiKey.SaslAuthenticate, 0, {
      authBytes: Buffer.from('\0alice\0alice-secret'),
    })
    assert.equal(early.errorCode, 34)
    const unknown = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' })
    assert.deepEqual(unknown, { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    // As Kafka: the answer is the last thing on that connection.
    assert.equal(await waitClosed(client), true)
    client.close()
  })

  test('pipelined ApiVersions and an unknown mechanism: both answered in order, then the connection closes', async () => {
    // The close belongs to the failing request's own answer, not to whichever answer is written next.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const socket = await openSocket(broker.port)
      const frames = frameQueue(socket)
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.write(
        Buffer.concat([
          encodeRequest(ApiKey.ApiVersions, 0, 1, createDefaultApiVersionsRequest()),
          encodeRequest(ApiKey.SaslHandshake, 1, 2, { mechanism: 'GSSAPI' }),
        ]),
      )
      assert.equal(decodeResponse(ApiKey.ApiVersions, 0, await frames.next()).errorCode, 0)
      assert.equal(decodeResponse(ApiKey.SaslHandshake, 1, await frames.next()).errorCode, 33)
      await closed
    }
  })

  test('legacy exchange after SaslHandshake v0: a raw PLAIN token, an empty raw answer, then Metadata', async () => {
    const socket = await openSocket(broker.port)
    const frames = frameQueue(socket)
    socket.write(encodeRequest(ApiKey.SaslHandshake, 0, 1, { mechanism: 'PLAIN' }))
    const handshake = decodeResponse(ApiKey.SaslHandshake, 0, await frames.next())
    assert.equal(handshake.errorCode, 0)
    const token = Buffer.from('\0alice\0alice-secret')
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(token.length)
    socket.write(Buffer.concat([prefix, token]))
    assert.deepEqual(await frames.next(), Buffer.alloc(0))
    socket.write(encodeRequest(ApiKey.Metadata, 1, 2, metadataRequestBody(null, true)))
    const metadata = decodeResponse(ApiKey.Metadata, 1, await frames.next())
    assert.deepEqual(
      metadata.brokers.map((entry) => entry.nodeId),
      [0],
    )
    socket.destroy()
  })
})

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Size-prefixed frames from a socket, in order; next() waits (bounded) for the next one. */
function frameQueue(socket: Socket): { next(): Promise<Buffer> } {
  let pending = Buffer.alloc(0)
  const ready: Buffer[] = []
  const waiters: Array<(frame: Buffer) => void> = []
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const frame = pending.subarray(4, 4 + pending.readInt32BE(0))
      pending = pending.subarray(4 + frame.length)
      const waiter = waiters.shift()
      if (waiter === undefined) ready.push(frame)
      else waiter(frame)
    }
  })
  return {
    next: () => {
      const frame = ready.shift()
      if (frame !== undefined) return Promise.resolve(frame)
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no frame within 5 s')), 5_000)
        waiters.push((next) => {
          clearTimeout(timer)
          resolve(next)
        })
      })
    },
  }
}
