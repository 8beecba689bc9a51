// The object store on any S3-compatible service (AWS S3, MinIO, Cloudflare R2, GCS's interoperability
// API) through @aws-sdk/client-s3, which is imported here on first use only: a broker without remote
// storage never loads the SDK (start time and idle memory stay as they were).
//
// Objects from `multipartThresholdBytes` up go as multipart uploads (s3-multipart.ts).
//
// Compatibility choices: checksums are sent only where the API requires them (Content-MD5 on put,
// which every S3-compatible service verifies) instead of the SDK's newer default CRC trailers that
// several services reject; path-style addressing is an option (MinIO and most self-hosted services
// need it); deletes are one DeleteObject per key (DeleteObjects needs checksum headers some services
// do not take). The SDK's own retries are off: uploads stream from a file and retry.ts retries whole
// operations with backoff and jitter.

import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3'
import {
  type ByteRange,
  type ObjectBody,
  type ObjectStore,
  RemoteObjectMissingError,
  RemoteStorageError,
  type StoredObject,
} from './object-store.ts'
import { putMultipart } from './s3-multipart.ts'

export interface S3ObjectStoreOptions {
  bucket: string
  /** Prepended to every key, e.g. `streamline/cluster-a/` (a trailing '/' is added when missing). */
  prefix: string
  region: string
  /** e.g. http://127.0.0.1:9000 for MinIO; unset: AWS's endpoint for the region. */
  endpoint?: string
  forcePathStyle: boolean
  /** Explicit keys; unset: the SDK's default chain (env, shared files, instance/container roles). */
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  /** Longest one request may take before it fails (and is retried). */
  requestTimeoutMs: number
  /** Objects of this size or more go up as a multipart upload (default 64 MiB). */
  multipartThresholdBytes?: number
  /** Size of one part (default 16 MiB; S3's minimum is 5 MiB). */
  multipartPartBytes?: number
}

export const defaultMultipartThresholdBytes = 64 * 1024 * 1024
export const defaultMultipartPartBytes = 16 * 1024 * 1024
/** Parts of one object in flight at once. */
const multipartConcurrency = 4
const partRetry = { attemptsMax: 3, backoffInitialMs: 100, backoffMaxMs: 2_000 }

type S3Module = typeof import('@aws-sdk/client-s3')

function isThrottle(error: unknown): boolean {
  const status = (error as S3ServiceException).$metadata?.httpStatusCode
  const name = (error as Error).name
  return status === 503 || status === 429 || name === 'SlowDown' || name === 'Throttling'
}

function isMissing(error: unknown): boolean {
  const name = (error as Error).name
  return (
    name === 'NoSuchKey' ||
    name === 'NotFound' ||
    (error as S3ServiceException).$metadata?.httpStatusCode === 404
  )
}

export class S3ObjectStore implements ObjectStore {
  readonly description: string
  private readonly prefix: string

  private constructor(
    private readonly sdk: S3Module,
    private readonly client: S3Client,
    private readonly options: S3ObjectStoreOptions,
  ) {
    this.prefix =
      options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`
    this.description = `s3://${options.bucket}/${this.prefix}`
  }

  static async open(options: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    const sdk = await import('@aws-sdk/client-s3')
    const credentials =
      options.accessKeyId !== undefined && options.secretAccessKey !== undefined
        ? {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
            ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
          }
        : undefined
    const client = new sdk.S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle,
      ...(credentials === undefined ? {} : { credentials }),
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        requestTimeout: options.requestTimeoutMs,
        connectionTimeout: options.requestTimeoutMs,
      },
    })
    return new S3ObjectStore(sdk, client, options)
  }

  private failure(operation: string, key: string, error: unknown): RemoteStorageError {
    if (error instanceof RemoteStorageError) return error
    if (isMissing(error))
      return new RemoteObjectMissingError(`${operation} ${key}: no such object in ${this.description}`)
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return new RemoteStorageError(`${operation} ${key} in ${this.description} failed (${detail})`, {
      cause: error,
      throttled: isThrottle(error),
    })
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const threshold = this.options.multipartThresholdBytes ?? defaultMultipartThresholdBytes
    if (body.sizeBytes >= threshold && body.openRange !== undefined) {
      await putMultipart(
        { sdk: this.sdk, client: this.client, bucket: this.options.bucket, key: this.prefix + key },
        body,
        {
          partBytes: this.options.multipartPartBytes ?? defaultMultipartPartBytes,
          concurrency: multipartConcurrency,
          partRetry,
          failure: (operation, error) => this.failure(operation, key, error),
        },
      )
      return
    }
    let etag: string | undefined
    try {
      const response = await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.prefix + key,
          Body: body.open(),
          ContentLength: body.sizeBytes,
          ContentMD5: body.md5Base64,
        }),
      )
      etag = response.ETag
    } catch (error) {
      throw this.failure('put', key, error)
    }
    // A single-part ETag is the MD5 (hex) on S3 without KMS, MinIO, R2 and s3rver; servers that do not
    // check Content-MD5 themselves are caught here. Other ETag forms (KMS) rely on Content-MD5.
    const stored = etag?.replaceAll('"', '')
    const expected = Buffer.from(body.md5Base64, 'base64').toString('hex')
    if (stored !== undefined && /^[0-9a-f]{32}$/.test(stored) && stored !== expected) {
      await this.delete([key]).catch(() => {})
      throw new RemoteStorageError(`put ${key}: stored MD5 ${stored} differs from ${expected} (BadDigest)`)
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    if (range !== undefined && range.endExclusive <= range.start) return Buffer.alloc(0)
    try {
      const response = await this.client.send(
        new this.sdk.GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.prefix + key,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.endExclusive - 1}` }),
        }),
      )
      if (response.Body === undefined) return Buffer.alloc(0)
      return Buffer.from(await response.Body.transformToByteArray())
    } catch (error) {
      throw this.failure('get', key, error)
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = []
    let continuationToken: string | undefined
    try {
      do {
        const page = await this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: this.prefix + prefix,
            ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
          }),
        )
        for (const item of page.Contents ?? []) {
          if (item.Key !== undefined)
            found.push({ key: item.Key.slice(this.prefix.length), sizeBytes: item.Size ?? 0 })
        }
        continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined
      } while (continuationToken !== undefined)
    } catch (error) {
      throw this.failure('list', prefix, error)
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.client.send(
          new this.sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.prefix + key }),
        )
      } catch (error) {
        if (!isMissing(error)) throw this.failure('delete', key, error)
      }
    }
  }

  close(): void {
    this.client.destroy()
  }
}
