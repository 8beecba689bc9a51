// Snappy for Kafka codec 2, in the two layouts found in the wild:
// - raw snappy blocks (librdkafka and some clients write these), starting with the uncompressed
//   length as a varint;
// - xerial framing (Java's snappy-java SnappyOutputStream, kafka-python): the 8-byte magic
//   `\x82SNAPPY\x00`, version int32, compatible version int32, then [int32 length, raw block]*.
// Decoding picks xerial when the magic is there (as snappy-java's SnappyInputStream does) and raw
// otherwise. Encoding writes xerial with 32 KiB blocks, what the Java client writes, since every
// reader (Java, librdkafka, kafka-python) accepts it. Each block's declared length is checked
// against the remaining budget before the native decoder allocates it.

import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy'
import { CorruptRecordError } from '../errors.ts'

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const xerialHeaderBytes = 16
const xerialVersion = 1
const xerialCompatibleVersion = 1
/** snappy-java's default block size (SnappyOutputStream.DEFAULT_BLOCK_SIZE), also kafka-python's. */
const xerialBlockBytes = 32 * 1024

function corrupt(detail: string, cause?: unknown): never {
  throw new CorruptRecordError('compression', `snappy: ${detail}`, { cause })
}

function tooLarge(bytes: number, limit: number): never {
  throw new CorruptRecordError(
    'decompressed-size',
    `snappy payload decompresses to at least ${bytes} bytes, above the limit of ${limit}`,
  )
}

/** The uncompressed length a raw snappy block declares (its leading varint, at most 32 bits). */
function declaredLength(block: Buffer): number {
  let value = 0
  for (let index = 0; index < 5; index++) {
    if (index >= block.length) corrupt('truncated length preamble')
    const byte = block[index]
    value += (byte & 0x7f) * 2 ** (7 * index)
    if ((byte & 0x80) === 0) return value
  }
  return corrupt('length preamble longer than 5 bytes')
}

function decodeRawBlock(block: Buffer, budgetBytes: number, limit: number, alreadyBytes: number): Buffer {
  const length = declaredLength(block)
  if (length > budgetBytes) tooLarge(alreadyBytes + length, limit)
  let output: string | Buffer
  try {
    output = snappyUncompress(block, { asBuffer: true })
  } catch (error) {
    return corrupt('invalid block', error)
  }
  if (typeof output === 'string' || output.length !== length)
    corrupt('block length does not match its preamble')
  return output
}

export function isXerialFramed(input: Buffer): boolean {
  return input.length >= xerialHeaderBytes && input.subarray(0, xerialMagic.length).equals(xerialMagic)
}

export function decodeSnappy(input: Buffer, options: { decompressedBytesMax: number }): Buffer {
  const limit = options.decompressedBytesMax
  if (!isXerialFramed(input)) return decodeRawBlock(input, limit, limit, 0)
  const blocks: Buffer[] = []
  let total = 0
  let position = xerialHeaderBytes
  while (position < input.length) {
    if (input.length - position < 4) corrupt('truncated xerial block length')
    const length = input.readInt32BE(position)
    position += 4
    if (length < 0 || length > input.length - position) corrupt(`xerial block length ${length} out of range`)
    const block = decodeRawBlock(input.subarray(position, position + length), limit - total, limit, total)
    blocks.push(block)
    total += block.length
    position += length
  }
  return Buffer.concat(blocks, total)
}

export function encodeSnappyXerial(input: Buffer): Buffer {
  const header = Buffer.alloc(xerialHeaderBytes)
  xerialMagic.copy(header, 0)
  header.writeInt32BE(xerialVersion, 8)
  header.writeInt32BE(xerialCompatibleVersion, 12)
  const parts: Buffer[] = [header]
  for (let start = 0; start < input.length; start += xerialBlockBytes) {
    const block = snappyCompress(input.subarray(start, Math.min(start + xerialBlockBytes, input.length)))
    const length = Buffer.alloc(4)
    length.writeInt32BE(block.length)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}

/** One raw snappy block (no framing), for tests and callers that need librdkafka's layout. */
export function encodeSnappyRaw(input: Buffer): Buffer {
  return snappyCompress(input)
}
