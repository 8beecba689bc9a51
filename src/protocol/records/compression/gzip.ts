// gzip for Kafka codec 1, through node:zlib (async: runs on the libuv thread pool). zlib's
// maxOutputLength stops inflation at the limit, so a gzip bomb fails without allocating it.

import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { CorruptRecordError } from '../errors.ts'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

function isBufferTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE'
}

export async function decodeGzip(input: Buffer, options: { decompressedBytesMax: number }): Promise<Buffer> {
  try {
    return await gunzipAsync(input, { maxOutputLength: options.decompressedBytesMax })
  } catch (error) {
    if (isBufferTooLarge(error)) {
      throw new CorruptRecordError(
        'decompressed-size',
        `gzip payload decompresses to more than the limit of ${options.decompressedBytesMax} bytes`,
        { cause: error },
      )
    }
    throw new CorruptRecordError('compression', 'gzip: invalid payload', { cause: error })
  }
}

export async function encodeGzip(input: Buffer): Promise<Buffer> {
  return gzipAsync(input)
}
