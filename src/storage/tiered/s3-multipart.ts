// Multipart upload of a large object to an S3-compatible service (CreateMultipartUpload, UploadPart
// per part, CompleteMultipartUpload): a segment above the threshold goes up as parts of `partBytes`
// (S3's minimum is 5 MiB except the last part, its maximum 10,000 parts), a few parts at once, each
// part retried on its own instead of the whole object. Every part carries its Content-MD5 (the
// service verifies it) and its returned ETag is compared; the completed object's ETag is checked
// against what the parts add up to (S3: MD5 of the parts' MD5s, "-N"; some servers, like s3rver, give
// the whole object's MD5). A failed upload is aborted (best effort: a bucket lifecycle rule
// AbortIncompleteMultipartUpload removes parts a crash left behind); the object never appears
// half-written, since S3 shows it only once completed.

import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { type ObjectBody, RemoteStorageError, streamMd5Base64 } from './object-store.ts'
import { type RetryPolicy, withRetries } from './retry.ts'

type S3Module = typeof import('@aws-sdk/client-s3')

export interface MultipartTarget {
  sdk: S3Module
  client: S3Client
  bucket: string
  /** The full key (prefix included). */
  key: string
}

export interface MultipartOptions {
  partBytes: number
  /** Parts in flight at once. */
  concurrency: number
  /** Retries of one part (the whole upload is retried by the caller). */
  partRetry: RetryPolicy
  /** Turns an SDK error into the store's RemoteStorageError. */
  failure(operation: string, error: unknown): RemoteStorageError
}

/** S3's limit on the number of parts. */
export const partsMax = 10_000

/** The part size to use for an object of `sizeBytes`: `partBytes`, grown when 10,000 would not do. */
export function partSizeFor(sizeBytes: number, partBytes: number): number {
  return Math.max(partBytes, Math.ceil(sizeBytes / partsMax))
}

/** ETag of a completed multipart object as S3 computes it: MD5 of the concatenated part MD5s, "-N". */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  const hash = createHash('md5')
  for (const md5 of partMd5s) hash.update(md5)
  return `${hash.digest('hex')}-${partMd5s.length}`
}

export async function putMultipart(
  target: MultipartTarget,
  body: ObjectBody,
  options: MultipartOptions,
): Promise<void> {
  const openRange = body.openRange
  if (openRange === undefined) throw new RemoteStorageError(`put ${target.key}: the body cannot be split`)
  const { sdk, client, bucket, key } = target
  let uploadId: string | undefined
  try {
    const created = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
    uploadId = created.UploadId
  } catch (error) {
    throw options.failure('create multipart upload', error)
  }
  if (uploadId === undefined) throw new RemoteStorageError(`put ${key}: no upload id`)
  const partSize = partSizeFor(body.sizeBytes, options.partBytes)
  const count = Math.max(1, Math.ceil(body.sizeBytes / partSize))
  const etags: string[] = new Array(count)
  const md5s: Buffer[] = new Array(count)
  const uploadPart = async (index: number): Promise<void> => {
    const start = index * partSize
    const endExclusive = Math.min(body.sizeBytes, start + partSize)
    const md5 = await streamMd5Base64(openRange(start, endExclusive))
    md5s[index] = Buffer.from(md5, 'base64')
    await withRetries(options.partRetry, async () => {
      let etag: string | undefined
      try {
        const answer = await client.send(
          new sdk.UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: openRange(start, endExclusive),
            ContentLength: endExclusive - start,
            ContentMD5: md5,
          }),
        )
        etag = answer.ETag
      } catch (error) {
        throw options.failure(`upload part ${index + 1}`, error)
      }
      const stored = etag?.replaceAll('"', '')
      if (stored === undefined) throw new RemoteStorageError(`put ${key}: part ${index + 1} has no ETag`)
      if (/^[0-9a-f]{32}$/.test(stored) && stored !== md5s[index].toString('hex'))
        throw new RemoteStorageError(`put ${key}: part ${index + 1} stored with a different MD5 (BadDigest)`)
      etags[index] = etag as string
    })
  }
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) await uploadPart(next++)
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker))
    let completedEtag: string | undefined
    try {
      const completed = await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
        }),
      )
      completedEtag = completed.ETag?.replaceAll('"', '')
    } catch (error) {
      throw options.failure('complete multipart upload', error)
    }
    const whole = Buffer.from(body.md5Base64, 'base64').toString('hex')
    if (completedEtag !== undefined && completedEtag !== whole && completedEtag !== multipartEtag(md5s)) {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {})
      throw new RemoteStorageError(
        `put ${key}: completed object's ETag ${completedEtag} matches neither its MD5 nor its parts`,
      )
    }
  } catch (error) {
    await client
      .send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => {})
    throw error
  }
}
