// CRC32C (Castagnoli), the checksum of record batch v2 (attributes..end of batch), and CRC32 (IEEE),
// the checksum of legacy messages v0/v1. Both come from @node-rs/crc32 (SIMD); this file is the one
// place that imports it, so a swap of the implementation touches nothing else.

import { crc32 as nativeCrc32, crc32c as nativeCrc32c } from '@node-rs/crc32'

/** CRC32C of `buffer`, continuing from `initial` (a previous result) when given. Unsigned 32-bit. */
export function crc32c(buffer: Buffer, initial = 0): number {
  return nativeCrc32c(buffer, initial) >>> 0
}

/** CRC32 (IEEE 802.3, as java.util.zip.CRC32) of `buffer`, continuing from `initial`. Unsigned 32-bit. */
export function crc32(buffer: Buffer, initial = 0): number {
  return nativeCrc32(buffer, initial) >>> 0
}
