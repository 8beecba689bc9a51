// Turns one partition's Fetch answer into consumer records, as a Kafka consumer does: whole batches
// only (a fetch may end inside one), each header checked, control batches (transaction markers) skipped, records below the fetch offset skipped (a fetch
// returns the whole batch holding it), and under read_committed the batches of aborted transactions
// dropped using the answer's aborted-transaction list. The batches come as the in-memory engine stores
// them (`recordBatches`, no copy) or split from `records` (a log read from files). The CRC32C of
// batches read from files is checked (Kafka's consumer `check.crcs`: no disk corruption passes); the
// in-memory engine's batches are the very bytes whose CRC was checked (or computed, by the in-process
// producer) when they were appended, with no disk or wire in between, so they are not checked twice.

import type { AbortedTransaction } from '../../protocol/generated/fetch-response.ts'
import { splitBatches } from '../../protocol/records/batch-framing.ts'
import { batchHeaderBytes, TimestampType, validateBatch } from '../../protocol/records/batch-header.ts'
import { CompressionCodec, decompress } from '../../protocol/records/compression/index.ts'
import { decodeConsumedRecords } from './record-decoder.ts'
import type { ConsumedRecord } from './types.ts'

export interface FetchedPartition {
  topic: string
  partition: number
  fetchOffset: number
  records: Buffer | null
  /** The in-memory engine's batches as stored (in-process Fetch answers); then `records` is empty. */
  recordBatches?: readonly Buffer[]
  /** Null under read_uncommitted. */
  abortedTransactions: AbortedTransaction[] | null
}

export interface DecodedFetch {
  records: ConsumedRecord[]
  /** Where the next fetch of this partition starts (after the last whole batch read). */
  nextOffset: number
  /** Bytes of the batches read (what the consumer's buffer bound counts). */
  sizeBytes: number
}

function batchesOf(fetched: FetchedPartition): readonly Buffer[] {
  if (fetched.recordBatches !== undefined) return fetched.recordBatches
  if (fetched.records === null || fetched.records.length === 0) return []
  return splitBatches(fetched.records).batches.map((span) => span.bytes)
}

export async function decodeFetchedPartition(fetched: FetchedPartition): Promise<DecodedFetch> {
  const aborted = [...(fetched.abortedTransactions ?? [])].sort((a, b) =>
    Number(a.firstOffset - b.firstOffset),
  )
  // Producers whose transaction is aborted at the current position (Kafka's consumer keeps the same set).
  const abortedProducers = new Set<bigint>()
  const records: ConsumedRecord[] = []
  let nextOffset = fetched.fetchOffset
  let sizeBytes = 0
  for (const bytes of batchesOf(fetched)) {
    const {
      header,
      sizeBytes: batchBytes,
      lastOffset,
    } = validateBatch(bytes, 0, {
      origin: 'log',
      verifyCrc: fetched.recordBatches === undefined,
    })
    sizeBytes += batchBytes
    nextOffset = Math.max(nextOffset, lastOffset + 1)
    while (aborted.length > 0 && Number(aborted[0].firstOffset) <= lastOffset) {
      const first = aborted.shift()
      if (first !== undefined) abortedProducers.add(first.producerId)
    }
    if (header.isControl) {
      // A marker (COMMIT or ABORT) ends its producer's transaction.
      abortedProducers.delete(header.producerId)
      continue
    }
    if (header.isTransactional && abortedProducers.has(header.producerId)) continue
    if (lastOffset < fetched.fetchOffset) continue
    const section = bytes.subarray(batchHeaderBytes, batchBytes)
    const data =
      header.compression === CompressionCodec.none
        ? section
        : await decompress(header.compression, section, { lz4HeaderChecksum: 'strict' })
    const logAppendTime = header.timestampType === TimestampType.logAppendTime
    decodeConsumedRecords(
      data,
      header.recordCount,
      {
        topic: fetched.topic,
        partition: fetched.partition,
        baseOffset: header.baseOffset,
        baseTimestamp: header.baseTimestamp,
        logAppendTime: logAppendTime ? header.maxTimestamp : null,
        timestampType: logAppendTime ? 1 : 0,
        fromOffset: fetched.fetchOffset,
      },
      records,
    )
  }
  return { records, nextOffset, sizeBytes }
}
