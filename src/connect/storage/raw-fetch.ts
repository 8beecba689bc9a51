// Fetch v12 with the record bytes kept raw and decoded by the broker's own record code
// (src/protocol/records: framing, CRC check, decompression, records as views of the response), as
// the sink takes them (fetched-records.ts).
// The request is the library's (fetchV12.createRequest) on the library's connection; only the
// response parser differs. Why: @platformatic/kafka decodes every record into several objects and
// buffers (its varint reader answers an array per field); for a sink task reading 100-byte lines that
// decode and its garbage were most of the worker's CPU (bench/suite/workloads/connect-flow.ts).

import { type Connection, createAPI, fetchV12, ResponseError } from '@platformatic/kafka'
import { forEachBatch } from '../../protocol/records/batch-framing.ts'
import { CorruptRecordError } from '../../protocol/records/errors.ts'

export interface RawFetchPartition {
  partitionIndex: number
  errorCode: number
  /** The partition's log end as the leader sees it (the offset after the last replicated record). */
  highWatermark: number
  /** The partition's record batches as the broker sent them (null when none). */
  records: Buffer | null
}

export interface RawFetchResponse {
  responses: Array<{ topic: string; partitions: RawFetchPartition[] }>
}

type Reader = Parameters<typeof fetchV12.parseResponse>[3]
type FetchTopics = Parameters<typeof fetchV12.createRequest>[6]

/** Partition errors stay in the answer (the caller handles each); a top-level error is thrown. */
function parseResponse(
  _correlationId: number,
  apiKey: number,
  apiVersion: number,
  reader: Reader,
): RawFetchResponse {
  reader.readInt32() // throttle time
  const errorCode = reader.readInt16()
  reader.readInt32() // session id
  const responses = reader.readArray((topicReader) => {
    const topic = topicReader.readString() ?? ''
    const partitions = topicReader.readArray((r): RawFetchPartition => {
      const partitionIndex = r.readInt32()
      const partitionError = r.readInt16()
      const highWatermark = Number(r.readInt64())
      r.readInt64() // last stable offset
      r.readInt64() // log start offset
      r.readArray((entry) => {
        entry.readInt64() // aborted transactions: producer id, first offset (read_uncommitted here)
        entry.readInt64()
      })
      r.readInt32() // preferred read replica
      const size = r.readUnsignedVarInt() - 1 // COMPACT_RECORDS: length + 1, 0 = null
      const records = size > 0 ? r.buffer.slice(r.position, r.position + size) : null
      if (size > 0) r.skip(size)
      return { partitionIndex, errorCode: partitionError, highWatermark, records }
    })
    return { topic, partitions }
  })
  const response = { responses }
  if (errorCode !== 0) throw new ResponseError(apiKey, apiVersion, { '': [errorCode, null] }, response)
  return response
}

const api = createAPI(1, 12, fetchV12.createRequest, parseResponse)

export function rawFetch(
  connection: Connection,
  maxWaitMs: number,
  maxBytes: number,
  topics: FetchTopics,
): Promise<RawFetchResponse> {
  return new Promise((resolve, reject) => {
    const readUncommitted = 0
    api(
      connection,
      maxWaitMs,
      1,
      maxBytes,
      readUncommitted,
      0,
      -1,
      topics,
      [],
      '',
      (error: Error | null, answer: RawFetchResponse) => {
        if (error !== null && error !== undefined) reject(error)
        else resolve(answer)
      },
    )
  })
}

/**
 * Where the whole batches of a partition's record bytes start (checked: framing and magic v2; the
 * CRC and records are checked as each batch is read, FetchedRecords); a cut batch at the end (the
 * fetch size limit) is left for the next fetch, as Kafka's consumers do.
 */
export function batchStarts(records: Buffer): number[] {
  const positions: number[] = []
  const trailing = forEachBatch(records, (span) => {
    if (span.magic !== 2)
      throw new CorruptRecordError('magic', `message format v${span.magic} is not read by Connect`)
    positions.push(span.position)
  })
  if (trailing?.kind === 'corrupt') throw new CorruptRecordError('length', trailing.detail)
  return positions
}
