// LZ4 frame format (lz4_Frame_format.md), as Kafka uses it for codec 3.
//
// Kafka quirk (KIP-57): the Java client of Kafka 0.8/0.9 computed the frame header checksum (HC) over
// the 4 magic bytes plus the descriptor instead of the descriptor alone, and wrote no content size.
// Message format v0 keeps that broken checksum for its old readers; v1 and v2 use the correct one.
// So: decoding v0/v1 data accepts either checksum ('accept-legacy'), decoding v2 requires the correct
// one ('strict', as the Java broker does), and encoding for magic 0 writes the legacy checksum.
//
// Decoding runs in two passes: the first walks the block headers only and bounds the output
// (uncompressed blocks: their size; compressed blocks: the frame's block maximum), so a decompression
// bomb fails before any allocation; the second decodes into one buffer of that bound.

import { compressSync as lz4CompressBlockPrepended } from 'lz4-napi'
import { CorruptRecordError } from '../errors.ts'
import { decodeLz4Block } from './lz4-block.ts'
import { xxhash32 } from './xxhash32.ts'

const frameMagic = 0x184d2204
const skippableMagicMask = 0xfffffff0
const skippableMagic = 0x184d2a50
const blockUncompressedFlag = 0x80000000
/** Java's KafkaLZ4BlockOutputStream, kafka-python and librdkafka all write 64 KiB blocks. */
const encodeBlockBytes = 64 * 1024
const blockMaxBytesById: Record<number, number> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
}

export type Lz4HeaderChecksum = 'strict' | 'accept-legacy'
export type Lz4EncodeHeaderChecksum = 'standard' | 'legacy-kafka'

function corrupt(detail: string): never {
  throw new CorruptRecordError('compression', `lz4 frame: ${detail}`)
}

interface FrameDescriptor {
  blockIndependent: boolean
  blockChecksum: boolean
  contentChecksum: boolean
  contentSize: number | null
  blockMaxBytes: number
  /** Position of the first block header. */
  blocksStart: number
}

function readDescriptor(input: Buffer, frameStart: number, checksum: Lz4HeaderChecksum): FrameDescriptor {
  let position = frameStart + 4
  if (input.length - position < 3) corrupt('truncated frame descriptor')
  const flags = input[position]
  const blockDescriptor = input[position + 1]
  if (flags >>> 6 !== 1) corrupt(`unsupported frame version ${flags >>> 6}`)
  if ((flags & 0x02) !== 0 || (blockDescriptor & 0x8f) !== 0) corrupt('reserved descriptor bits set')
  if ((flags & 0x01) !== 0) corrupt('dictionary ids are not supported')
  const blockMaxBytes = blockMaxBytesById[(blockDescriptor >>> 4) & 0x07]
  if (blockMaxBytes === undefined) corrupt(`invalid block maximum size id ${(blockDescriptor >>> 4) & 0x07}`)
  const hasContentSize = (flags & 0x08) !== 0
  position += 2
  let contentSize: number | null = null
  if (hasContentSize) {
    if (input.length - position < 9) corrupt('truncated content size')
    const size = input.readBigUInt64LE(position)
    contentSize = size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size)
    position += 8
  }
  if (position >= input.length) corrupt('truncated header checksum')
  const stored = input[position]
  const standard = (xxhash32(input, frameStart + 4, position) >>> 8) & 0xff
  const legacy = (xxhash32(input, frameStart, position) >>> 8) & 0xff
  if (stored !== standard && !(checksum === 'accept-legacy' && stored === legacy)) {
    corrupt(`header checksum 0x${stored.toString(16)} does not match 0x${standard.toString(16)}`)
  }
  return {
    blockIndependent: (flags & 0x20) !== 0,
    blockChecksum: (flags & 0x10) !== 0,
    contentChecksum: (flags & 0x04) !== 0,
    contentSize,
    blockMaxBytes,
    blocksStart: position + 1,
  }
}

/** First pass over one frame: the end of the frame and a bound of its decompressed size. */
function scanFrame(input: Buffer, descriptor: FrameDescriptor): { end: number; boundBytes: number } {
  let position = descriptor.blocksStart
  let boundBytes = 0
  for (;;) {
    if (input.length - position < 4) corrupt('truncated block header')
    const header = input.readUInt32LE(position)
    position += 4
    if (header === 0) break
    const size = header & ~blockUncompressedFlag
    if (size > descriptor.blockMaxBytes) corrupt(`block of ${size} bytes exceeds ${descriptor.blockMaxBytes}`)
    const checksumBytes = descriptor.blockChecksum ? 4 : 0
    if (input.length - position < size + checksumBytes) corrupt('truncated block')
    boundBytes += (header & blockUncompressedFlag) !== 0 ? size : descriptor.blockMaxBytes
    position += size + checksumBytes
  }
  if (descriptor.contentChecksum) {
    if (input.length - position < 4) corrupt('truncated content checksum')
    position += 4
  }
  if (descriptor.contentSize !== null) boundBytes = Math.min(boundBytes, descriptor.contentSize)
  return { end: position, boundBytes }
}

function decodeFrame(input: Buffer, descriptor: FrameDescriptor, boundBytes: number): Buffer {
  const output = Buffer.alloc(boundBytes)
  let position = descriptor.blocksStart
  let written = 0
  for (;;) {
    const header = input.readUInt32LE(position)
    position += 4
    if (header === 0) break
    const size = header & ~blockUncompressedFlag
    const blockEnd = position + size
    if (descriptor.blockChecksum && xxhash32(input, position, blockEnd) !== input.readUInt32LE(blockEnd)) {
      corrupt('block checksum mismatch')
    }
    if ((header & blockUncompressedFlag) !== 0) {
      if (size > boundBytes - written) corrupt('content exceeds the declared content size')
      input.copy(output, written, position, blockEnd)
      written += size
    } else {
      const windowStart = descriptor.blockIndependent ? written : 0
      written = decodeLz4Block(input, position, blockEnd, output, written, boundBytes, windowStart)
    }
    position = blockEnd + (descriptor.blockChecksum ? 4 : 0)
  }
  if (descriptor.contentSize !== null && written !== descriptor.contentSize) {
    corrupt(`content size is ${written}, the header says ${descriptor.contentSize}`)
  }
  if (descriptor.contentChecksum && xxhash32(output, 0, written) !== input.readUInt32LE(position)) {
    corrupt('content checksum mismatch')
  }
  return output.subarray(0, written)
}

/**
 * Decodes a buffer of one or more LZ4 frames (skippable frames are skipped). Fails with
 * CorruptRecordError 'decompressed-size' before allocating when the output could exceed
 * `decompressedBytesMax`, and 'compression' on any malformed frame.
 */
export function decodeLz4Frames(
  input: Buffer,
  options: { decompressedBytesMax: number; headerChecksum: Lz4HeaderChecksum },
): Buffer {
  const frames: Array<{ descriptor: FrameDescriptor; boundBytes: number }> = []
  let position = 0
  let totalBoundBytes = 0
  if (input.length === 0) corrupt('empty input')
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
    const descriptor = readDescriptor(input, position, options.headerChecksum)
    const { end, boundBytes } = scanFrame(input, descriptor)
    totalBoundBytes += boundBytes
    if (totalBoundBytes > options.decompressedBytesMax) {
      throw new CorruptRecordError(
        'decompressed-size',
        `lz4 payload may decompress to ${totalBoundBytes} bytes, above the limit of ${options.decompressedBytesMax}`,
      )
    }
    frames.push({ descriptor, boundBytes })
    position = end
  }
  const outputs = frames.map((frame) => decodeFrame(input, frame.descriptor, frame.boundBytes))
  return outputs.length === 1 ? outputs[0] : Buffer.concat(outputs)
}

/**
 * Encodes `input` as one LZ4 frame the way Kafka's Java client does: independent 64 KiB blocks, no
 * content size, no checksums but the header's. `headerChecksum: 'legacy-kafka'` writes the KIP-57
 * broken checksum for message format v0.
 */
export function encodeLz4Frame(input: Buffer, options: { headerChecksum: Lz4EncodeHeaderChecksum }): Buffer {
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00])
  const checksumStart = options.headerChecksum === 'legacy-kafka' ? 0 : 4
  header[6] = (xxhash32(header, checksumStart, 6) >>> 8) & 0xff
  const parts: Buffer[] = [header]
  for (let start = 0; start < input.length; start += encodeBlockBytes) {
    const chunk = input.subarray(start, Math.min(start + encodeBlockBytes, input.length))
    // lz4-napi prepends the uncompressed size (4 bytes, little-endian) to the raw block.
    const compressed = lz4CompressBlockPrepended(chunk).subarray(4)
    const blockHeader = Buffer.alloc(4)
    if (compressed.length < chunk.length) {
      blockHeader.writeUInt32LE(compressed.length)
      parts.push(blockHeader, compressed)
    } else {
      blockHeader.writeUInt32LE((chunk.length | blockUncompressedFlag) >>> 0)
      parts.push(blockHeader, chunk)
    }
  }
  parts.push(Buffer.alloc(4))
  return Buffer.concat(parts)
}
