// Iterates the whole batches in a buffer (a segment file chunk, a produce payload, a fetch response
// partition), using only Kafka's 12-byte log overhead: baseOffset int64 + batchLength int32. The same
// framing holds for v2 batches and legacy v0/v1 message sets (offset int64 + message size int32), so
// this never decodes beyond the magic byte and never checks a CRC (validateBatch does that).
//
// Bytes after the last whole batch are reported as the trailing part, not an error: a fetch response
// may end in a cut batch (consumers drop it) and a crash may leave a torn tail in a segment (recovery
// truncates it). `kind` tells the two situations the storage engine must tell apart:
// - 'partial': the bytes are a prefix of a batch that may be whole on disk later or elsewhere
//   (the length prefix is plausible but the buffer ends first, or fewer than 12/17 bytes remain);
// - 'corrupt': the length or magic is impossible, so nothing after it can be trusted.

import { logOverheadBytes } from './batch-header.ts'

/** Smallest size (after the 12-byte overhead) per magic: v0 14, v1 22 (Kafka's RECORD_OVERHEAD), v2 49. */
const sizeMinByMagic = [14, 22, 49] as const
/** The magic byte sits at the same position in all three formats (after offset, size, and v0/v1 crc or v2 epoch). */
const magicPosition = 16

export interface BatchSpan {
  /** Start of the batch in the buffer (its baseOffset field). */
  position: number
  /** Bytes it occupies, the 12-byte overhead included. */
  sizeBytes: number
  /** The first int64 (baseOffset in v2; the offset of the last inner message in a v0/v1 wrapper). */
  baseOffset: bigint
  magic: number
  /** A view of the batch's bytes (no copy). */
  bytes: Buffer
}

export interface TrailingBytes {
  position: number
  sizeBytes: number
  kind: 'partial' | 'corrupt'
  /** The declared batch size (overhead included) when the length prefix could be read. */
  declaredSizeBytes: number | null
  detail: string
}

export interface SplitBatchesResult {
  batches: BatchSpan[]
  /** Bytes after the last whole batch, or null when the buffer ends exactly at a batch boundary. */
  trailing: TrailingBytes | null
}

/**
 * Calls `visit` for each whole batch from `start`, in order; returns what follows the last one.
 * Stops at the first trailing part (partial or corrupt); what comes after is never looked at.
 */
export function forEachBatch(
  buffer: Buffer,
  visit: (batch: BatchSpan) => void,
  options: { start?: number } = {},
): TrailingBytes | null {
  let position = options.start ?? 0
  while (position < buffer.length) {
    const remaining = buffer.length - position
    if (remaining < logOverheadBytes) {
      return trailing(position, remaining, 'partial', null, `${remaining} bytes, less than the log overhead`)
    }
    const batchLength = buffer.readInt32BE(position + 8)
    const declaredSizeBytes = batchLength >= 0 ? logOverheadBytes + batchLength : null
    if (batchLength < sizeMinByMagic[0]) {
      return trailing(
        position,
        remaining,
        'corrupt',
        declaredSizeBytes,
        `batch length ${batchLength} below 14`,
      )
    }
    if (remaining <= magicPosition) {
      return trailing(position, remaining, 'partial', declaredSizeBytes, 'ends before the magic byte')
    }
    const magic = buffer.readInt8(position + magicPosition)
    if (magic < 0 || magic > 2) {
      return trailing(position, remaining, 'corrupt', declaredSizeBytes, `unknown magic ${magic}`)
    }
    if (batchLength < sizeMinByMagic[magic]) {
      const detail = `batch length ${batchLength} below ${sizeMinByMagic[magic]} for magic ${magic}`
      return trailing(position, remaining, 'corrupt', declaredSizeBytes, detail)
    }
    const sizeBytes = logOverheadBytes + batchLength
    if (sizeBytes > remaining) {
      const detail = `batch of ${sizeBytes} bytes, ${remaining} remain`
      return trailing(position, remaining, 'partial', sizeBytes, detail)
    }
    visit({
      position,
      sizeBytes,
      baseOffset: buffer.readBigInt64BE(position),
      magic,
      bytes: buffer.subarray(position, position + sizeBytes),
    })
    position += sizeBytes
  }
  return null
}

/** All whole batches of `buffer` and what follows them. */
export function splitBatches(buffer: Buffer, options: { start?: number } = {}): SplitBatchesResult {
  const batches: BatchSpan[] = []
  const rest = forEachBatch(buffer, (batch) => batches.push(batch), options)
  return { batches, trailing: rest }
}

function trailing(
  position: number,
  sizeBytes: number,
  kind: TrailingBytes['kind'],
  declaredSizeBytes: number | null,
  detail: string,
): TrailingBytes {
  return { position, sizeBytes, kind, declaredSizeBytes, detail }
}
