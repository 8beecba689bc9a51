// Fetch v17 with the record bytes kept raw, decoded here in one tight loop. Why: @platformatic/kafka
// decodes every record into several objects (its varint reader returns an array per field); for a
// plain `consume` of a large topic that decode and its garbage were most of the CLI's time
// (bench/suite/workloads/cli.ts, against kcat -C). The request is the library's own (fetchV17
// createRequest) sent on the library's connection (SASL and TLS included); only the response parser
// differs. Compressed batches are handed to the library's batch reader (decompression is theirs).
import type { Connection } from '@platformatic/kafka'
import { loadPlatformatic } from '../kafka-clients.ts'

export const rawFetchVersion = 17

/** The topics of a Fetch request, as the library's request writer takes them. */
export type FetchRequestTopic = Parameters<
  typeof import('@platformatic/kafka').fetchV17.createRequest
>[6][number]

export interface RawFetchPartition {
  partitionIndex: number
  errorCode: number
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[]
  /** The record batches as the broker sent them (null when none). */
  records: Buffer | null
  /** Batches the library already decoded (the fallback path when the broker has no Fetch v17). */
  decoded?: DecodedBatch[]
}

export interface RawFetchResponse {
  errorCode: number
  partitions: RawFetchPartition[]
}

type RawFetchApi = {
  async(
    connection: Connection,
    maxWaitMs: number,
    minBytes: number,
    maxBytes: number,
    isolationLevel: number,
    sessionId: number,
    sessionEpoch: number,
    topics: FetchRequestTopic[],
    forgotten: never[],
    rackId: string,
  ): Promise<RawFetchResponse>
}

type PlatformaticReader = Parameters<typeof import('@platformatic/kafka').readRecordsBatch>[0]

let api: Promise<RawFetchApi> | undefined

/** The library's Fetch v17 request with our response parser. */
export function rawFetchApi(): Promise<RawFetchApi> {
  api ??= (async () => {
    const { createAPI, fetchV17, ResponseError } = await loadPlatformatic()
    const parse = (
      _correlationId: number,
      apiKey: number,
      apiVersion: number,
      reader: PlatformaticReader,
    ): RawFetchResponse => {
      reader.readInt32() // throttle time
      const errorCode = reader.readInt16()
      reader.readInt32() // session id
      const partitions: RawFetchPartition[] = []
      const errors: Record<string, [number, null]> = {}
      if (errorCode !== 0) errors[''] = [errorCode, null]
      reader.readArray((topicReader) => {
        topicReader.readUUID()
        topicReader.readArray((r) => {
          const partitionIndex = r.readInt32()
          const partitionError = r.readInt16()
          r.readInt64() // high watermark
          r.readInt64() // last stable offset
          r.readInt64() // log start offset
          const abortedTransactions = r.readArray((entry) => ({
            producerId: entry.readInt64(),
            firstOffset: entry.readInt64(),
          }))
          r.readInt32() // preferred read replica
          const size = r.readUnsignedVarInt() - 1 // COMPACT_RECORDS: length + 1, 0 = null
          const records = size > 0 ? r.buffer.slice(r.position, r.position + size) : null
          if (size > 0) r.skip(size)
          if (partitionError !== 0) errors[`/partitions/${partitionIndex}`] = [partitionError, null]
          partitions.push({ partitionIndex, errorCode: partitionError, abortedTransactions, records })
        })
      })
      const response = { errorCode, partitions }
      if (Object.keys(errors).length > 0) throw new ResponseError(apiKey, apiVersion, errors, response)
      return response
    }
    return createAPI(1, rawFetchVersion, fetchV17.createRequest, parse) as unknown as RawFetchApi
  })()
  return api
}

/** One record batch: its header, and its records decoded on demand. */
export interface RawBatch {
  firstOffset: bigint
  lastOffsetDelta: number
  attributes: number
  producerId: bigint
  firstTimestamp: bigint
  /** Where the records start and how many there are (uncompressed batches). */
  recordsStart: number
  recordCount: number
  buffer: Buffer
}

/** A batch the library decoded (and decompressed). */
export interface DecodedBatch extends Omit<RawBatch, 'recordsStart' | 'recordCount' | 'buffer'> {
  records: RawRecord[]
}

const batchHeadBytes = 61 // firstOffset … recordCount
const compressionMask = 0x07

/** The batches of a partition's record bytes; a trailing partial batch (fetch size limit) is left out. */
export function rawBatches(buffer: Buffer): RawBatch[] {
  const batches: RawBatch[] = []
  let position = 0
  while (buffer.length - position >= 12) {
    const length = buffer.readInt32BE(position + 8)
    const end = position + 12 + length
    if (end > buffer.length || length < batchHeadBytes - 12) break
    batches.push({
      firstOffset: buffer.readBigInt64BE(position),
      attributes: buffer.readInt16BE(position + 21),
      lastOffsetDelta: buffer.readInt32BE(position + 23),
      firstTimestamp: buffer.readBigInt64BE(position + 27),
      producerId: buffer.readBigInt64BE(position + 43),
      recordCount: buffer.readInt32BE(position + 57),
      recordsStart: position + batchHeadBytes,
      buffer: buffer.subarray(0, end),
    })
    position = end
  }
  return batches
}

export function isCompressed(batch: RawBatch): boolean {
  return (batch.attributes & compressionMask) !== 0
}

/** A record as read from an uncompressed batch (deltas as numbers; null key/value kept). */
export interface RawRecord {
  offsetDelta: number
  timestampDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: [Buffer | null, Buffer | null][]
}

const noHeaders: [Buffer | null, Buffer | null][] = []

/** Calls `visit` for each record of an uncompressed batch, in order; `visit` returns false to stop. */
export function forEachRawRecord(batch: RawBatch, visit: (record: RawRecord) => boolean): void {
  const buffer = batch.buffer
  let position = batch.recordsStart
  const varint = (): number => {
    const value = zigzagVarintAt(buffer, position)
    position = varintEnd
    return value
  }
  const bytes = (): Buffer | null => {
    const length = varint()
    if (length < 0) return null
    const start = position
    position += length
    return buffer.subarray(start, position)
  }
  for (let index = 0; index < batch.recordCount; index += 1) {
    varint() // record length
    position += 1 // attributes
    const timestampDelta = varint()
    const offsetDelta = varint()
    const key = bytes()
    const value = bytes()
    const headerCount = varint()
    let headers = noHeaders
    if (headerCount > 0) {
      headers = []
      for (let header = 0; header < headerCount; header += 1) headers.push([bytes(), bytes()])
    }
    if (!visit({ offsetDelta, timestampDelta, key, value, headers })) return
  }
}

/** The records of a compressed batch through the library's reader (it decompresses). */
export async function decompressedRecords(batch: RawBatch): Promise<RawRecord[]> {
  const { Reader, readRecordsBatch } = await loadPlatformatic()
  const start = batch.recordsStart - batchHeadBytes
  const decoded = readRecordsBatch(Reader.from(batch.buffer.subarray(start)))
  return decoded.records.map((record) => ({
    offsetDelta: record.offsetDelta,
    timestampDelta: Number(record.timestampDelta),
    key: record.key ?? null,
    value: record.value ?? null,
    headers: record.headers,
  }))
}

const smallCopyBytes = 256

/** Where the plain `consume` path copies values: each followed by a newline, in large chunks. */
export class ValueSink {
  /** Records still to print (-n); Infinity without a count. */
  remaining: number
  printed = 0
  #chunk: Buffer
  #used = 0
  #ready: Buffer[] = []

  constructor(remaining: number, chunkBytes = 1024 * 1024) {
    this.remaining = remaining
    this.#chunk = Buffer.allocUnsafe(chunkBytes)
  }

  add(source: Buffer, start: number, end: number): void {
    const length = end - start + 1
    if (this.#used + length > this.#chunk.length) {
      if (this.#used > 0) this.#ready.push(this.#chunk.subarray(0, this.#used))
      this.#chunk = Buffer.allocUnsafe(Math.max(this.#chunk.length, length))
      this.#used = 0
    }
    const chunk = this.#chunk
    if (length > smallCopyBytes) source.copy(chunk, this.#used, start, end)
    else {
      // Record-sized values: a loop the JIT inlines beats a native call per value.
      for (let from = start, to = this.#used; from < end; from += 1, to += 1) chunk[to] = source[from]
    }
    chunk[this.#used + length - 1] = 0x0a
    this.#used += length
    this.printed += 1
    this.remaining -= 1
  }

  /** What was copied since the last call (the chunk in use is handed over and replaced). */
  take(): Buffer[] {
    if (this.#used > 0) {
      this.#ready.push(this.#chunk.subarray(0, this.#used))
      this.#chunk = Buffer.allocUnsafe(this.#chunk.length)
      this.#used = 0
    }
    const ready = this.#ready
    this.#ready = []
    return ready
  }
}

/** Copies the values of an uncompressed batch's records with offset deltas in [from, to) into the
 * sink, without creating an object per record. Returns the last delta copied (-1: none) and whether
 * `to` or the sink's count was reached. */
export function copyRawValues(
  batch: RawBatch,
  from: number,
  to: number,
  sink: ValueSink,
): { lastDelta: number; stopped: boolean } {
  const buffer = batch.buffer
  // Plain locals and a module-level cursor instead of a closure over `position`: the closure's
  // context variable was most of this loop's time in a CPU profile of `consume` (1M records).
  let position = batch.recordsStart
  let lastDelta = -1
  for (let index = 0; index < batch.recordCount; index += 1) {
    const length = zigzagVarintAt(buffer, position)
    position = varintEnd
    const recordEnd = position + length
    position += 1 // attributes
    zigzagVarintAt(buffer, position) // timestamp delta
    const offsetDelta = zigzagVarintAt(buffer, varintEnd)
    position = varintEnd
    if (offsetDelta < from) {
      position = recordEnd
      continue
    }
    if (offsetDelta >= to || sink.remaining <= 0) return { lastDelta, stopped: true }
    const keyLength = zigzagVarintAt(buffer, position)
    position = varintEnd
    if (keyLength > 0) position += keyLength
    const valueLength = zigzagVarintAt(buffer, position)
    position = varintEnd
    sink.add(buffer, position, position + Math.max(valueLength, 0))
    lastDelta = offsetDelta
    position = recordEnd
  }
  return { lastDelta, stopped: sink.remaining <= 0 }
}

/** Where the last zigzagVarintAt call stopped (a second return value without an allocation). */
let varintEnd = 0

/** Kafka's zig-zag varint at `position` (32-bit values fit in a double exactly); sets varintEnd. */
function zigzagVarintAt(buffer: Buffer, position: number): number {
  let byte = buffer[position]
  if (byte < 0x80) {
    varintEnd = position + 1
    return byte % 2 === 0 ? byte / 2 : -(byte + 1) / 2
  }
  let raw = byte & 0x7f
  let scale = 0x80
  let at = position + 1
  for (;;) {
    byte = buffer[at++]
    raw += (byte & 0x7f) * scale
    if (byte < 0x80) break
    scale *= 0x80
  }
  varintEnd = at
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
}
