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
  /** Bytes [start, endExclusive) (a part of a multipart upload); absent: the body is sent whole. */
  openRange?(start: number, endExclusive: number): Readable
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
  return {
    sizeBytes: bytes.length,
    md5Base64: md5Base64(bytes),
    open: () => Readable.from([bytes]),
    openRange: (start, endExclusive) => Readable.from([bytes.subarray(start, endExclusive)]),
  }
}

/** Read size of file bodies: large reads keep the hashing and upload loops few (the default 64 KiB
 * costs one event-loop turn per 64 KiB). */
const readChunkBytes = 1024 * 1024

/** MD5 of a stream's bytes, base64 (a part's Content-MD5). */
export async function streamMd5Base64(stream: Readable): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('base64')
}

/** A body streamed from an open file (a closed segment): hashed once now, streamed on each attempt.
 * The handle stays open (autoClose false): the caller holds the segment for the whole upload. */
export function fileBody(handle: FileHandle, sizeBytes: number): Promise<ObjectBody> {
  return fileWithTrailerBody(handle, sizeBytes, Buffer.alloc(0))
}

/** The file's first `fileBytes` bytes followed by `trailer` (a segment's log, then its indexes) as
 * one body: one PUT instead of one per file. Hashed once now, streamed on each attempt. */
export async function fileWithTrailerBody(
  handle: FileHandle,
  fileBytes: number,
  trailer: Buffer,
): Promise<ObjectBody> {
  const fileRange = (start: number, endExclusive: number): Readable =>
    handle.createReadStream({
      start,
      end: endExclusive - 1,
      autoClose: false,
      emitClose: false,
      highWaterMark: readChunkBytes,
    })
  async function* pieces(start: number, endExclusive: number): AsyncGenerator<Buffer> {
    if (start < fileBytes && start < endExclusive)
      for await (const chunk of fileRange(start, Math.min(endExclusive, fileBytes))) yield chunk as Buffer
    const trailerStart = Math.max(start, fileBytes) - fileBytes
    const trailerEnd = endExclusive - fileBytes
    if (trailerEnd > trailerStart) yield trailer.subarray(trailerStart, trailerEnd)
  }
  const sizeBytes = fileBytes + trailer.length
  const openRange = (start: number, endExclusive: number): Readable =>
    endExclusive <= start ? Readable.from([Buffer.alloc(0)]) : Readable.from(pieces(start, endExclusive))
  const open = (): Readable => openRange(0, sizeBytes)
  const hash = createHash('md5')
  for await (const chunk of open()) hash.update(chunk as Buffer)
  return { sizeBytes, md5Base64: hash.digest('base64'), open, openRange }
}
