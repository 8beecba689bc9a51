// Goal: both object stores keep the contract tiered storage relies on: put verified by MD5 (a wrong
// digest is refused and leaves nothing), whole and ranged gets of exact bytes, list by prefix in key
// order, delete (missing keys fine), a missing object is RemoteObjectMissingError, and a store that is
// down gives a retriable RemoteStorageError. Method: the filesystem store on a temporary directory and
// the S3 store (the real @aws-sdk/client-s3) against a real s3rver process on 127.0.0.1. Objects above
// the multipart threshold go up in parts (counted through the body's openRange), come back exact, and
// a damaged part is refused (s3rver checks each part's Content-MD5; the part ETag is compared too).
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { open as open_, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import { FileSystemObjectStore } from './fs-object-store.ts'
import {
  bufferBody,
  fileBody,
  type ObjectBody,
  type ObjectStore,
  RemoteObjectMissingError,
  RemoteStorageError,
} from './object-store.ts'
import { multipartEtag, partSizeFor } from './s3-multipart.ts'
import { S3ObjectStore } from './s3-object-store.ts'

async function exerciseContract(store: ObjectStore): Promise<void> {
  const data = Buffer.from(Array.from({ length: 5000 }, (_, index) => index % 251))
  await store.put('topic-a/0/00000000000000000000-x.log', bufferBody(data))
  await store.put('topic-a/0/00000000000000000000-x.index', bufferBody(Buffer.from('index')))
  await store.put('topic-b/0/1.log', bufferBody(Buffer.from('other')))
  assert.deepEqual(await store.get('topic-a/0/00000000000000000000-x.log'), data)
  assert.deepEqual(
    await store.get('topic-a/0/00000000000000000000-x.log', { start: 100, endExclusive: 1100 }),
    data.subarray(100, 1100),
  )
  assert.deepEqual(
    (await store.list('topic-a/')).map((object) => [object.key, object.sizeBytes]),
    [
      ['topic-a/0/00000000000000000000-x.index', 5],
      ['topic-a/0/00000000000000000000-x.log', 5000],
    ],
  )
  const wrong = { ...bufferBody(Buffer.from('abc')), md5Base64: bufferBody(Buffer.from('abd')).md5Base64 }
  await assert.rejects(store.put('topic-a/0/bad', wrong), RemoteStorageError)
  await assert.rejects(store.get('topic-a/0/bad'), RemoteObjectMissingError)
  await store.delete(['topic-a/0/00000000000000000000-x.index', 'topic-a/0/never-existed'])
  assert.deepEqual(
    (await store.list('topic-a/')).map((object) => object.key),
    ['topic-a/0/00000000000000000000-x.log'],
  )
  await assert.rejects(store.get('topic-a/0/00000000000000000000-x.index'), RemoteObjectMissingError)
}

describe('filesystem object store', () => {
  test('keeps the object store contract', async () => {
    const directory = await makeTempDir()
    try {
      await exerciseContract(new FileSystemObjectStore(directory))
    } finally {
      await removeTempDir(directory)
    }
  })
})

describe('S3 object store against s3rver', () => {
  let server: S3Server
  before(async () => {
    server = await startS3Server()
  })
  after(async () => {
    await server.dispose()
  })
  const open = (
    prefix: string,
    multipart: { multipartThresholdBytes?: number; multipartPartBytes?: number } = {},
  ) =>
    S3ObjectStore.open({
      ...multipart,
      bucket: server.bucket,
      prefix,
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      accessKeyId: s3rverAccessKey,
      secretAccessKey: s3rverAccessKey,
      requestTimeoutMs: 5_000,
    })

  test('keeps the object store contract (with a key prefix)', async () => {
    const store = await open('cluster-1')
    try {
      await exerciseContract(store)
      const other = await open('cluster-2')
      assert.deepEqual(await other.list(''), [])
      other.close()
    } finally {
      store.close()
    }
  })

  test('a store that is down gives a retriable RemoteStorageError, and works again after', async () => {
    const store = await open('outage')
    try {
      await server.stop()
      const error = await store.put('k', bufferBody(Buffer.from('v'))).then(
        () => null,
        (failure: unknown) => failure,
      )
      assert.ok(error instanceof RemoteStorageError, String(error))
      assert.equal(error.errorCode, 56)
      await server.start()
      await store.put('k', bufferBody(Buffer.from('v')))
      assert.deepEqual(await store.get('k'), Buffer.from('v'))
    } finally {
      store.close()
    }
  })

  test('large objects go up as multipart uploads: exact bytes back, parts verified one by one', async () => {
    const store = await open('multipart', { multipartThresholdBytes: 300_000, multipartPartBytes: 100_000 })
    const directory = await makeTempDir()
    try {
      const data = randomBytes(1_050_000)
      const plain = bufferBody(data)
      let rangesOpened = 0
      const counted: ObjectBody = {
        ...plain,
        openRange: (start, endExclusive) => {
          rangesOpened += 1
          return plain.openRange?.(start, endExclusive) ?? assert.fail('no openRange')
        },
      }
      await store.put('big.log', counted)
      // 11 parts of 100,000 bytes (the last 50,000): each hashed once and sent once.
      assert.equal(rangesOpened, 22)
      assert.deepEqual(await store.get('big.log'), data)
      assert.deepEqual(
        await store.get('big.log', { start: 99_990, endExclusive: 200_010 }),
        data.subarray(99_990, 200_010),
      )
      assert.deepEqual(
        (await store.list('')).map((object) => [object.key, object.sizeBytes]),
        [['big.log', 1_050_000]],
      )
      // A segment file streamed from its handle, as the copier sends it.
      const file = path.join(directory, 'segment.log')
      await writeFile(file, data.subarray(0, 450_000))
      const handle = await open_(file, 'r')
      try {
        await store.put('file.log', await fileBody(handle, 450_000))
      } finally {
        await handle.close()
      }
      assert.deepEqual(await store.get('file.log'), data.subarray(0, 450_000))
      // A part whose Content-MD5 does not match is refused and the object never appears.
      const damaged: ObjectBody = {
        ...plain,
        openRange: (start, endExclusive) =>
          Readable.from([
            start === 500_000 ? Buffer.alloc(endExclusive - start) : data.subarray(start, endExclusive),
          ]),
      }
      await assert.rejects(store.put('damaged.log', damaged), RemoteStorageError)
      await assert.rejects(store.get('damaged.log'), RemoteObjectMissingError)
    } finally {
      store.close()
      await removeTempDir(directory)
    }
  })

  test('multipart ETag as S3 computes it (MD5 of the part MD5s, -N)', () => {
    const parts = [Buffer.from('a'), Buffer.from('b')].map((part) => createHash('md5').update(part).digest())
    const expected = createHash('md5').update(Buffer.concat(parts)).digest('hex')
    assert.equal(multipartEtag(parts), `${expected}-2`)
    assert.equal(partSizeFor(100, 16), 16)
    assert.equal(partSizeFor(10_000 * 16 + 1, 16), 17)
  })
})
