// LZ4 block decoder (lz4_Block_format.md) in plain TS, so every length is checked against both the
// input and the output bound we allocated (a native decoder would need a trusted size), and linked
// blocks (matches reaching into earlier blocks of the same frame) decode into one contiguous output.
// Compression of blocks is native (lz4-napi); see lz4-frame.ts.

import { CorruptRecordError } from '../errors.ts'

const minMatchBytes = 4

function corrupt(detail: string): never {
  throw new CorruptRecordError('compression', `lz4 block: ${detail}`)
}

/** Reads an LZ4 length continuation (bytes of 255 then a final byte), starting after the token nibble. */
function readLengthContinuation(
  source: Buffer,
  position: number,
  end: number,
): [length: number, next: number] {
  let length = 0
  let byte: number
  do {
    if (position >= end) corrupt('length continuation runs past the end')
    byte = source[position++]
    length += byte
  } while (byte === 255)
  return [length, position]
}

/**
 * Decodes the block `source[sourceStart, sourceEnd)` into `output` from `outputStart`, never writing
 * at or past `outputEnd`. Matches may reach back to `windowStart` (the block start for independent
 * blocks, the frame start for linked ones). Returns the output position after the block.
 */
export function decodeLz4Block(
  source: Buffer,
  sourceStart: number,
  sourceEnd: number,
  output: Buffer,
  outputStart: number,
  outputEnd: number,
  windowStart: number,
): number {
  let input = sourceStart
  let position = outputStart
  if (input >= sourceEnd) corrupt('empty block')
  for (;;) {
    const token = source[input++]
    let literalLength = token >>> 4
    if (literalLength === 15) {
      const [extra, next] = readLengthContinuation(source, input, sourceEnd)
      literalLength += extra
      input = next
    }
    if (literalLength > sourceEnd - input) corrupt('literals run past the end of the block')
    if (literalLength > outputEnd - position) corrupt('literals exceed the output bound')
    source.copy(output, position, input, input + literalLength)
    input += literalLength
    position += literalLength
    // The last sequence of a block carries literals only.
    if (input === sourceEnd) return position
    if (sourceEnd - input < 2) corrupt('match offset runs past the end')
    const offset = source[input] | (source[input + 1] << 8)
    input += 2
    if (offset === 0 || position - offset < windowStart)
      corrupt(`match offset ${offset} reaches outside the window`)
    let matchLength = token & 0x0f
    if (matchLength === 15) {
      const [extra, next] = readLengthContinuation(source, input, sourceEnd)
      matchLength += extra
      input = next
    }
    matchLength += minMatchBytes
    if (matchLength > outputEnd - position) corrupt('match exceeds the output bound')
    copyMatch(output, position, offset, matchLength)
    position += matchLength
    if (input >= sourceEnd) corrupt('block ends after a match (the last sequence must be literals)')
  }
}

/** Copies a match; when it overlaps its own output (offset < length) it repeats, byte by byte. */
function copyMatch(output: Buffer, position: number, offset: number, length: number): void {
  const from = position - offset
  if (offset >= length) {
    output.copyWithin(position, from, from + length)
    return
  }
  for (let index = 0; index < length; index++) output[position + index] = output[from + index]
}
