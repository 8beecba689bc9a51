// Kafka's compression codec ids, as stored in the low 3 bits of batch and message attributes.

export const CompressionCodec = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const

export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec]

export const compressionCodecNames: Record<CompressionCodec, string> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
}

/** True when `value` is a codec id Kafka defines (5..7 are reserved and invalid). */
export function isCompressionCodec(value: number): value is CompressionCodec {
  return Number.isInteger(value) && value >= 0 && value <= 4
}
