// Reads the batches of a closed segment in order, in large positional reads (never the whole file),
// for the cleaner. Each batch is handed over as a view of the read buffer, valid during the callback.

import { logOverheadBytes } from '../batch.ts'
import { recoveryBatchBytesMax } from '../limits.ts'
import type { Segment } from '../segment.ts'

/** Bytes read at a time. Default 1 MiB. */
const readChunkBytes = 1024 * 1024

export async function forEachStoredBatch(
  segment: Segment,
  visit: (batch: Buffer) => Promise<void>,
): Promise<void> {
  segment.retain()
  try {
    const end = segment.size
    let position = 0
    while (position < end) {
      const chunk = await segment.read(position, Math.min(readChunkBytes, end - position))
      let offset = 0
      while (chunk.length - offset >= logOverheadBytes) {
        const size = logOverheadBytes + chunk.readInt32BE(offset + 8)
        if (size > recoveryBatchBytesMax) throw new Error(`batch of ${size} bytes in ${segment.logPath}`)
        if (offset + size > chunk.length) break
        await visit(chunk.subarray(offset, offset + size))
        offset += size
      }
      if (offset === 0) {
        // One batch larger than the chunk: read it whole.
        const size = logOverheadBytes + chunk.readInt32BE(8)
        await visit(await segment.read(position, size))
        offset = size
      }
      position += offset
    }
  } finally {
    await segment.release()
  }
}
