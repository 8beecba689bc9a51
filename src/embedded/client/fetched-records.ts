// Turns one partition's Fetch answer into consumer records, as a Kafka consumer does: whole batches
// only (a fetch may end inside one), control batches (transaction markers) skipped, records below the
// fetch offset skipped (a fetch returns the whole batch holding it), and under read_committed the
// batches of aborted transactions dropped using the answer's aborted-transaction list.

import type { AbortedTransaction } from '../../protocol/generated/fetch-response.ts'
import { splitBatches } from '../../protocol/records/batch-framing.ts'
import { decodeBatch } from '../../protocol/records/batch-v2.ts'
import type { ConsumedRecord } from './types.ts'

export interface FetchedPartition {
  topic: string
  partition: number
  fetchOffset: number
  records: Buffer | null
  /** Null under read_uncommitted. */
  abortedTransactions: AbortedTransaction[] | null
}

export interface DecodedFetch {
  records: ConsumedRecord[]
  /** Where the next fetch of this partition starts (after the last whole batch read). */
  nextOffset: number
}

export async function decodeFetchedPartition(fetched: FetchedPartition): Promise<DecodedFetch> {
  const { batches } = splitBatches(fetched.records ?? Buffer.alloc(0))
  const aborted = [...(fetched.abortedTransactions ?? [])].sort((a, b) =>
    Number(a.firstOffset - b.firstOffset),
  )
  // Producers whose transaction is aborted at the current position (Kafka's consumer keeps the same set).
  const abortedProducers = new Set<bigint>()
  const records: ConsumedRecord[] = []
  let nextOffset = fetched.fetchOffset
  for (const span of batches) {
    const batch = await decodeBatch(span.bytes, 0, { origin: 'log' })
    const { header } = batch
    const lastOffset = header.baseOffset + header.lastOffsetDelta
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
    for (const record of batch.records) {
      if (record.offset < fetched.fetchOffset) continue
      records.push({
        topic: fetched.topic,
        partition: fetched.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        timestampType: header.timestampType,
        key: record.key,
        value: record.value,
        headers: record.headers,
      })
    }
  }
  return { records, nextOffset }
}
