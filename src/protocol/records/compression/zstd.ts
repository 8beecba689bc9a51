// Zstandard for Kafka codec 4 (KIP-110), through @mongodb-js/zstd (napi-rs, prebuilt binaries in
// npm packages; its decoder takes no output limit). So before decoding, this file walks the frame and
// block headers (RFC 8878) and bounds the output without decompressing: a raw or RLE block produces
// exactly Block_Size bytes, a compressed block at most Block_Maximum_Size = min(window, 128 KiB), and
// a frame at most its Frame_Content_Size when declared (the decoder enforces it). A payload whose bound
// exceeds the limit fails before any allocation. Real encoders fill blocks to 128 KiB, so the bound is
// close to the real size and legitimate data is not refused.

import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd'
import { CorruptRecordError } from '../errors.ts'

const frameMagic = 0xfd2fb528
const skippableMagicMask = 0xfffffff0
const skippableMagic = 0x184d2a50
const blockSizeMax = 128 * 1024
/** Kafka's default zstd level (CompressionType.ZSTD default level 3). */
const compressionLevel = 3

function corrupt(detail: string, cause?: unknown): never {
  throw new CorruptRecordError('compression', `zstd: ${detail}`, { cause })
}

interface FrameHeader {
  contentSize: number | null
  windowBytes: number
  hasChecksum: boolean
  blocksStart: number
}

function readFrameHeader(input: Buffer, frameStart: number): FrameHeader {
  let position = frameStart + 4
  if (position >= input.length) corrupt('truncated frame header')
  const descriptor = input[position++]
  const contentSizeFlag = descriptor >>> 6
  const singleSegment = (descriptor & 0x20) !== 0
  if ((descriptor & 0x08) !== 0) corrupt('reserved frame header bit set')
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
  const headerRest = (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes
  if (input.length - position < headerRest) corrupt('truncated frame header')
  let windowBytes = 0
  if (!singleSegment) {
    const windowDescriptor = input[position++]
    const windowBase = 2 ** (10 + (windowDescriptor >>> 3))
    windowBytes = windowBase + (windowBase / 8) * (windowDescriptor & 0x07)
  }
  position += dictionaryIdBytes
  let contentSize: number | null = null
  if (contentSizeBytes === 1) contentSize = input[position]
  else if (contentSizeBytes === 2) contentSize = input.readUInt16LE(position) + 256
  else if (contentSizeBytes === 4) contentSize = input.readUInt32LE(position)
  else if (contentSizeBytes === 8) contentSize = Math.min(Number(input.readBigUInt64LE(position)), 2 ** 53)
  position += contentSizeBytes
  if (singleSegment) windowBytes = contentSize ?? 0
  return { contentSize, windowBytes, hasChecksum: (descriptor & 0x04) !== 0, blocksStart: position }
}

/** Walks one frame's blocks: returns where the frame ends and a bound of its decompressed size. */
function scanFrame(input: Buffer, header: FrameHeader): { end: number; boundBytes: number } {
  const blockMaxBytes = Math.min(header.windowBytes, blockSizeMax)
  let position = header.blocksStart
  let boundBytes = 0
  for (;;) {
    if (input.length - position < 3) corrupt('truncated block header')
    const blockHeader = input[position] | (input[position + 1] << 8) | (input[position + 2] << 16)
    position += 3
    const isLast = (blockHeader & 1) !== 0
    const blockType = (blockHeader >>> 1) & 0x03
    const blockSize = blockHeader >>> 3
    if (blockType === 3) corrupt('reserved block type')
    if (blockSize > blockSizeMax) corrupt(`block of ${blockSize} bytes exceeds 128 KiB`)
    const storedBytes = blockType === 1 ? 1 : blockSize
    if (input.length - position < storedBytes) corrupt('truncated block')
    boundBytes += blockType === 2 ? blockMaxBytes : blockSize
    position += storedBytes
    if (isLast) break
  }
  if (header.hasChecksum) {
    if (input.length - position < 4) corrupt('truncated content checksum')
    position += 4
  }
  if (header.contentSize !== null) boundBytes = Math.min(boundBytes, header.contentSize)
  return { end: position, boundBytes }
}

/** A bound of what `input` (one or more frames) decompresses to; throws on malformed framing. */
export function zstdDecompressedBound(input: Buffer): number {
  if (input.length === 0) corrupt('empty input')
  let position = 0
  let boundBytes = 0
  while (position < input.length) {
    if (input.length - position < 4) corrupt('truncated magic number')
    const magic = input.readUInt32LE(position)
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      if (input.length - position < 8) corrupt('truncated skippable frame')
      const size = input.readUInt32LE(position + 4)
      if (input.length - position - 8 < size) corrupt('truncated skippable frame')
      position += 8 + size
      continue
    }
    if (magic !== frameMagic) corrupt(`bad magic number 0x${magic.toString(16)}`)
    const { end, boundBytes: frameBound } = scanFrame(input, readFrameHeader(input, position))
    boundBytes += frameBound
    position = end
  }
  return boundBytes
}

export async function decodeZstd(input: Buffer, options: { decompressedBytesMax: number }): Promise<Buffer> {
  const boundBytes = zstdDecompressedBound(input)
  if (boundBytes > options.decompressedBytesMax) {
    throw new CorruptRecordError(
      'decompressed-size',
      `zstd payload may decompress to ${boundBytes} bytes, above the limit of ${options.decompressedBytesMax}`,
    )
  }
  let output: Buffer
  try {
    output = await zstdDecompress(input)
  } catch (error) {
    return corrupt('invalid payload', error)
  }
  // The bound is sound for valid frames; this guards against a decoder that disagrees.
  if (output.length > boundBytes) corrupt(`decoded ${output.length} bytes, more than the frames allow`)
  return output
}

export async function encodeZstd(input: Buffer): Promise<Buffer> {
  return zstdCompress(input, compressionLevel)
}
