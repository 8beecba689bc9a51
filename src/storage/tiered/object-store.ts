// The object-store layer tiered storage stands on: four operations any S3-compatible service (and a
// plain directory) offers. Keys are '/'-separated paths below the store's prefix. Every put carries
// the MD5 of its body; the store verifies it (S3 checks Content-MD5 and answers BadDigest; the
// filesystem store hashes what it wrote) so a corrupted upload is never recorded as copied.
//
// Failures are StorageError (KAFKA_STORAGE_ERROR, retriable): the uploader retries with backoff, a
// remote read answers the client with a retriable error. `throttled` marks SlowDown / 503 answers.

import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { StorageError } from '../../errors.ts'

/** What a put sends: its size, its MD5 (base64, as Content-MD5) and a way to stream it (again). */
export interface ObjectBody {
  sizeBytes: number
  md5Base64: string
  open(): Readable
}

/** Byte range of a ranged get: [start, endExclusive). */
export interface ByteRange {
  start: number
  endExclusive: number
}

export interface StoredObject {
  key: string
  sizeBytes: number
}

export interface ObjectStore {
  /** Says where the objects go (for logs): `s3://bucket/prefix` or `file:///dir`. */
  readonly description: string
  /** Writes the whole object, verified against body.md5Base64; replaces an object of that key. */
  put(key: string, body: ObjectBody): Promise<void>
  /** The object's bytes, or the range of them. Throws RemoteObjectMissingError when it is absent. */
  get(key: string, range?: ByteRange): Promise<Buffer>
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredObject[]>
  /** Removes the objects; keys that do not exist are not an error. */
  delete(keys: readonly string[]): Promise<void>
  close(): void
}

/** A remote storage operation failed; `throttled` when the service asked to slow down (503/SlowDown). */
export class RemoteStorageError extends StorageError {
  readonly throttled: boolean
  constructor(message: string, options: { cause?: unknown; throttled?: boolean } = {}) {
    super(message, { cause: options.cause })
    this.throttled = options.throttled ?? false
  }
}

/** The object asked for does not exist (an orphan reference or a deleted segment): never retried. */
export class RemoteObjectMissingError extends RemoteStorageError {}

export function md5Base64(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64')
}

export function bufferBody(bytes: Buffer): ObjectBody {
  return { sizeBytes: bytes.length, md5Base64: md5Base64(bytes), open: () => Readable.from([bytes]) }
}

/** A body streamed from an open file (a closed segment): hashed once now, streamed on each attempt.
 * The handle stays open (autoClose false): the caller holds the segment for the whole upload. */
export async function fileBody(handle: FileHandle, sizeBytes: number): Promise<ObjectBody> {
  const open = (): Readable =>
    sizeBytes === 0
      ? Readable.from([Buffer.alloc(0)])
      : handle.createReadStream({ start: 0, end: sizeBytes - 1, autoClose: false, emitClose: false })
  const hash = createHash('md5')
  for await (const chunk of open()) hash.update(chunk as Buffer)
  return { sizeBytes, md5Base64: hash.digest('base64'), open }
}
