// Goal: a segment copy's buffered body is exactly the file's bytes followed by the trailer, with their
// MD5, and goes up verified to a real S3 API server; a file shorter than its recorded size fails
// instead of sending stale buffer bytes; the pool reuses buffers, keeps at most `keepMax` free ones and
// refuses objects above bufferedBodyBytesMax (they stream). Method: a real file on a temporary
// directory, the real @aws-sdk/client-s3 against an s3rver process on 127.0.0.1.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import { StorageError } from '../../errors.ts'
import { S3ObjectStore } from './s3-object-store.ts'
import { bufferedBodyBytesMax, bufferedFileWithTrailerBody, UploadBufferPool } from './upload-buffers.ts'

let server: S3Server
let directory: string

before(async () => {
  server = await startS3Server('upload-buffers')
  directory = await makeTempDir('streamline-upload-buffers-')
})

after(async () => {
  await server.dispose()
  await removeTempDir(directory)
})

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

test('a buffered body is the file then the trailer, with their MD5, stored verified', async () => {
  // Over 2 MiB: several 1 MiB reads, and the SDK's Expect: 100-continue path.
  const data = Buffer.from(Array.from({ length: 2_500_000 }, (_, index) => (index * 7) % 251))
  const trailer = Buffer.from('offset index, time index, snapshot, epochs')
  const file = path.join(directory, 'segment.log')
  await writeFile(file, Buffer.concat([data, Buffer.from('bytes past the segment size')]))
  const handle = await open(file, 'r')
  const pool = new UploadBufferPool()
  const store = await S3ObjectStore.open({
    bucket: server.bucket,
    prefix: 'buffers',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: s3rverAccessKey,
    secretAccessKey: s3rverAccessKey,
    requestTimeoutMs: 30_000,
  })
  try {
    const expected = Buffer.concat([data, trailer])
    const buffer = pool.acquire(expected.length)
    assert.ok(buffer !== null && buffer.length >= expected.length)
    buffer.fill(0xee)
    const body = await bufferedFileWithTrailerBody(handle, data.length, trailer, buffer)
    assert.equal(body.sizeBytes, expected.length)
    assert.equal(body.md5Base64, createHash('md5').update(expected).digest('base64'))
    assert.deepEqual(await readAll(body.open()), expected)
    assert.deepEqual(
      await readAll(body.openRange?.(10, 2_500_010) ?? body.open()),
      expected.subarray(10, 2_500_010),
    )
    await store.put('segment', body)
    assert.deepEqual(await store.get('segment'), expected)
    pool.release(buffer, 4)
    // A file shorter than the size asked for: an error, never the buffer's earlier bytes.
    const again = pool.acquire(expected.length)
    assert.equal(again, buffer)
    await assert.rejects(
      bufferedFileWithTrailerBody(handle, data.length + 100, trailer, again as Buffer),
      StorageError,
    )
  } finally {
    store.close()
    await handle.close()
  }
})

test('the pool reuses free buffers, keeps at most keepMax, and refuses objects to stream', () => {
  const pool = new UploadBufferPool()
  assert.equal(pool.acquire(bufferedBodyBytesMax + 1), null)
  const small = pool.acquire(1000)
  const large = pool.acquire(3 * 1024 * 1024 + 5)
  assert.ok(small !== null && large !== null)
  assert.equal(small.length, 1024 * 1024)
  assert.equal(large.length, 4 * 1024 * 1024)
  pool.release(small, 1)
  pool.release(large, 1)
  // Only the largest free buffer is kept; it serves any size up to its own.
  assert.equal(pool.acquire(10), large)
  assert.notEqual(pool.acquire(10), small)
  pool.clear()
})
