// Goal: both object stores keep the contract tiered storage relies on: put verified by MD5 (a wrong
// digest is refused and leaves nothing), whole and ranged gets of exact bytes, list by prefix in key
// order, delete (missing keys fine), a missing object is RemoteObjectMissingError, and a store that is
// down gives a retriable RemoteStorageError. Method: the filesystem store on a temporary directory and
// the S3 store (the real @aws-sdk/client-s3) against a real s3rver process on 127.0.0.1.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import { FileSystemObjectStore } from './fs-object-store.ts'
import { bufferBody, type ObjectStore, RemoteObjectMissingError, RemoteStorageError } from './object-store.ts'
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
  const open = (prefix: string) =>
    S3ObjectStore.open({
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
})
