// CRC32C (Castagnoli), the checksum of record batch v2 (attributes..end of batch), and CRC32 (IEEE),
// the checksum of legacy messages v0/v1. Both come from @node-rs/crc32 (SIMD); this file is the one
// place that imports it, so a swap of the implementation touches nothing else.
//
// Loaded on first use, not at import: opening the native addon (dlopen) is ~10 ms of a cold start,
// and a broker starting on an empty data dir checks no batch before its first produce.

import { createRequire } from 'node:module'

type Crc = (input: Buffer, initialState?: number) => number
interface NativeCrc32 {
  crc32: Crc
  crc32c: Crc
}

let native: NativeCrc32 | null = null

function loadNative(): NativeCrc32 {
  native ??= createRequire(import.meta.url)('@node-rs/crc32') as NativeCrc32
  return native
}

/** CRC32C of `buffer`, continuing from `initial` (a previous result) when given. Unsigned 32-bit. */
export function crc32c(buffer: Buffer, initial = 0): number {
  return (native ?? loadNative()).crc32c(buffer, initial) >>> 0
}

/** CRC32 (IEEE 802.3, as java.util.zip.CRC32) of `buffer`, continuing from `initial`. Unsigned 32-bit. */
export function crc32(buffer: Buffer, initial = 0): number {
  return (native ?? loadNative()).crc32(buffer, initial) >>> 0
}
