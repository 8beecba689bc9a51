// Record keys, values and header values as JSON for the admin API, both ways. Reading: bytes become
// `{ encoding: 'json', data }` when they are UTF-8 text of a JSON object or array, `{ encoding: 'text' }`
// for other UTF-8 text without control characters, `{ encoding: 'base64' }` otherwise (or always, when
// asked). Writing: a JSON string is its UTF-8 text, unless the request says the field is base64; any
// other JSON value is stored as its JSON text; null stays null.

export type Encoding = 'json' | 'text' | 'base64'

export interface EncodedBytes {
  encoding: Encoding
  data: unknown
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
/** Control characters other than tab, line feed and carriage return mark binary data. (In UTF-8 these
 * bytes never occur inside a multi-byte character, so checking bytes is exact.) */
function hasControlBytes(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) return true
  }
  return false
}

export function encodeBytes(bytes: Buffer | null, mode: 'auto' | 'base64'): EncodedBytes | null {
  if (bytes === null) return null
  if (mode === 'base64') return { encoding: 'base64', data: bytes.toString('base64') }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { encoding: 'base64', data: bytes.toString('base64') }
  }
  if (hasControlBytes(bytes)) return { encoding: 'base64', data: bytes.toString('base64') }
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { encoding: 'json', data: JSON.parse(text) as unknown }
    } catch {
      // not JSON after all: plain text
    }
  }
  return { encoding: 'text', data: text }
}

/** A request field as bytes: null → null, a string → its UTF-8 (or base64-decoded) bytes, else JSON. */
export function bytesOfInput(value: unknown, encoding: 'text' | 'base64'): Buffer | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return Buffer.from(value, encoding === 'base64' ? 'base64' : 'utf8')
  return Buffer.from(JSON.stringify(value), 'utf8')
}

/** Kafka's murmur2 (the Java client's Utils.murmur2), so keyed records land where Kafka clients put them. */
export function murmur2(data: Buffer): number {
  const seed = 0x9747b28c
  const m = 0x5bd1e995
  const r = 24
  const length = data.length
  let h = seed ^ length
  const words = length >> 2
  for (let index = 0; index < words; index += 1) {
    const at = index * 4
    let k = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)
    k = Math.imul(k, m)
    k ^= k >>> r
    k = Math.imul(k, m)
    h = Math.imul(h, m)
    h ^= k
  }
  const tail = words * 4
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2] << 16
  if (rest >= 2) h ^= data[tail + 1] << 8
  if (rest >= 1) {
    h ^= data[tail]
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h
}

/** The Java client's default partition for a keyed record: toPositive(murmur2(key)) % partitions. */
export function partitionForKey(key: Buffer, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount
}
