// Pre-encoded Produce requests for the lean load generator: every request the generator will send is
// encoded once, before the clock starts, with the generated codecs. A request is a list of chunks for
// one writev: a 12-byte head (size, api key, version, correlation id) that each in-flight slot copies
// and patches with its own correlation id, then the encoded body whose record batch is *referenced*,
// not copied (the Writer keeps byte fields of 4 KiB and more as separate chunks), so one batch buffer
// serves every partition and every request.
import { apiCodecs } from '../../../src/protocol/generated/api-codecs.ts'
import { ApiKey } from '../../../src/protocol/generated/index.ts'
import { encodeRequestHeaderV2 } from '../../../src/protocol/generated/request-header.ts'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { Writer } from '../../../src/protocol/writer.ts'

/** Produce v9: the first flexible version; v10-11 add nothing a plain producer sends. */
export const produceVersion = 9
/** Size prefix (4) + api key (2) + api version (2) + correlation id (4). */
export const requestHeadBytes = 12
export const correlationIdOffset = 8
/** The v2 record batch header, the 12-byte log overhead included. */
const batchHeaderBytes = 61
/** A record's framing around its value (length, attributes, deltas, key, headers) is 7 to 11 bytes. */
const recordFramingBytesEstimate = 10

export interface PreEncodedBatch {
  /** The whole v2 batch (what the broker stores). */
  batch: Buffer
  records: number
}

export interface PreEncodedRequest {
  partition: number
  /** The first 12 bytes of the frame: copied into a slot's own head, which patches the correlation id. */
  head: Buffer
  /** Everything after the head; `rest[batchChunk]` is the shared record batch. */
  rest: Buffer[]
  batchChunk: number
  /** Record batch bytes carried (what counts as ingested). */
  batchBytes: number
  records: number
}

/**
 * One v2 batch of `recordBytes`-byte values, as many records as fit in `batchBytes` (at least one).
 * Values are pseudo-random (no codec, so the content does not change the work; random keeps it honest
 * should a compressing path ever see it). Timestamps are the build time.
 */
export async function buildLoadBatch(recordBytes: number, batchBytes: number): Promise<PreEncodedBatch> {
  const value = Buffer.alloc(recordBytes)
  for (let index = 0; index < recordBytes; index++) value[index] = (index * 2654435761) >>> 24
  const timestamp = Date.now()
  let count = Math.max(
    1,
    Math.floor((batchBytes - batchHeaderBytes) / (recordBytes + recordFramingBytesEstimate)),
  )
  for (;;) {
    const batch = await buildBatch({ records: Array.from({ length: count }, () => ({ timestamp, value })) })
    if (batch.length <= batchBytes || count === 1) return { batch, records: count }
    // Over by a few records' worth of framing: shrink by the excess, at least one record.
    count -= Math.max(1, Math.ceil((batch.length - batchBytes) / (recordBytes + recordFramingBytesEstimate)))
    count = Math.max(1, count)
  }
}

/** One Produce request per partition, all carrying the same batch. */
export function encodeProduceRequests(options: {
  topic: string
  partitions: readonly number[]
  batch: PreEncodedBatch
  acks: number
  timeoutMs: number
}): PreEncodedRequest[] {
  const encode = apiCodecs[ApiKey.Produce].request.encoders[produceVersion]
  if (encode === undefined) throw new RangeError(`Produce v${produceVersion} has no encoder`)
  return options.partitions.map((partition) => {
    const writer = new Writer()
    writer.writeInt32(0) // size prefix, set below
    encodeRequestHeaderV2(writer, {
      requestApiKey: ApiKey.Produce,
      requestApiVersion: produceVersion,
      correlationId: 0,
      clientId: 'sl-bench',
    })
    encode(writer, {
      transactionalId: null,
      acks: options.acks,
      timeoutMs: options.timeoutMs,
      topicData: [
        { name: options.topic, partitionData: [{ index: partition, records: options.batch.batch }] },
      ],
    })
    const chunks = writer.toChunks()
    const batchChunk = chunks.indexOf(options.batch.batch)
    if (batchChunk < 1 || chunks[0].length < requestHeadBytes) {
      throw new RangeError('the record batch must be at least 4 KiB so the encoder references it')
    }
    chunks[0].writeInt32BE(writer.length - 4, 0)
    return {
      partition,
      head: chunks[0].subarray(0, requestHeadBytes),
      rest: [chunks[0].subarray(requestHeadBytes), ...chunks.slice(1)],
      batchChunk: batchChunk, // index in `rest`: chunk 0 minus the head is rest[0]
      batchBytes: options.batch.batch.length,
      records: options.batch.records,
    }
  })
}
