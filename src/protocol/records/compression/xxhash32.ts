// xxHash32, the checksum of the LZ4 frame format (header checksum, block and content checksums).
// Small and only used on LZ4 frame headers and optional checksums, so plain TS is enough.

const prime1 = 0x9e3779b1
const prime2 = 0x85ebca77
const prime3 = 0xc2b2ae3d
const prime4 = 0x27d4eb2f
const prime5 = 0x165667b1

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits))
}

function round(accumulator: number, input: number): number {
  return Math.imul(rotateLeft((accumulator + Math.imul(input, prime2)) | 0, 13), prime1)
}

/** xxHash32 of `bytes[start, end)` with `seed`; unsigned 32-bit result. */
export function xxhash32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = end - start
  let position = start
  let hash: number
  if (length >= 16) {
    let v1 = (seed + prime1 + prime2) | 0
    let v2 = (seed + prime2) | 0
    let v3 = seed | 0
    let v4 = (seed - prime1) | 0
    for (; position + 16 <= end; position += 16) {
      v1 = round(v1, view.getUint32(position, true))
      v2 = round(v2, view.getUint32(position + 4, true))
      v3 = round(v3, view.getUint32(position + 8, true))
      v4 = round(v4, view.getUint32(position + 12, true))
    }
    hash = (rotateLeft(v1, 1) + rotateLeft(v2, 7) + rotateLeft(v3, 12) + rotateLeft(v4, 18)) | 0
  } else {
    hash = (seed + prime5) | 0
  }
  hash = (hash + length) | 0
  for (; position + 4 <= end; position += 4) {
    hash = Math.imul(rotateLeft((hash + Math.imul(view.getUint32(position, true), prime3)) | 0, 17), prime4)
  }
  for (; position < end; position++) {
    hash = Math.imul(rotateLeft((hash + Math.imul(bytes[position], prime5)) | 0, 11), prime1)
  }
  hash ^= hash >>> 15
  hash = Math.imul(hash, prime2)
  hash ^= hash >>> 13
  hash = Math.imul(hash, prime3)
  hash ^= hash >>> 16
  return hash >>> 0
}
