// What a read_committed reader may apply from one partition of a Fetch answer (Kafka's
// CompletedFetch.nextFetchedRecord): data batches of aborted transactions are dropped, control batches
// (transaction markers) are never records, and the position moves past both — so a state topic that
// ends with a marker or an aborted transaction is still read to its end. The broker answers up to the
// last stable offset and lists the aborted transactions overlapping the answer; a producer id joins
// the aborted set when its aborted transaction's first offset is reached and leaves it at its ABORT
// marker (one producer id may abort several transactions in one answer, each with a new epoch).

import type { FetchedRecord } from './kafka-client.ts'

const transactionalAttribute = 0x10
const controlAttribute = 0x20
/** Control record key: int16 version, int16 type (0 ABORT, 1 COMMIT). */
const abortMarkerType = 0

interface BatchLike {
  firstOffset: bigint
  lastOffsetDelta: number
  attributes: number
  producerId: bigint
  firstTimestamp: bigint
  records: Array<{
    offsetDelta: number
    timestampDelta: bigint
    key: Buffer | null
    value: Buffer | null
    headers: Array<[Buffer | null, Buffer | null]>
  }>
}

export interface PartitionAnswer {
  abortedTransactions?: Array<{ producerId: bigint; firstOffset: bigint }>
  records?: BatchLike[]
}

export function committedRecords(
  topic: string,
  partition: number,
  answer: PartitionAnswer,
  from: number,
): { records: FetchedRecord[]; next: number } {
  const pending = [...(answer.abortedTransactions ?? [])].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  )
  const aborted = new Set<bigint>()
  const records: FetchedRecord[] = []
  let next = from
  for (const batch of answer.records ?? []) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    const isControl = (batch.attributes & controlAttribute) !== 0
    let skip = isControl
    if ((batch.attributes & transactionalAttribute) !== 0) {
      while (pending.length > 0 && pending[0].firstOffset <= lastOffset) {
        aborted.add(pending[0].producerId)
        pending.shift()
      }
      if (isControl) {
        const key = batch.records[0]?.key ?? null
        if (key !== null && key.length >= 4 && key.readInt16BE(2) === abortMarkerType)
          aborted.delete(batch.producerId)
      } else if (aborted.has(batch.producerId)) skip = true
    }
    if (!skip) {
      for (const record of batch.records) {
        const offset = Number(batch.firstOffset + BigInt(record.offsetDelta))
        if (offset < from) continue
        records.push({
          topic,
          partition,
          offset,
          timestamp: Number(batch.firstTimestamp + record.timestampDelta),
          key: record.key ?? null,
          value: record.value ?? null,
          headers: record.headers.map(([key, value]) => [key?.toString('utf8') ?? '', value ?? null]),
        })
      }
    }
    // Compaction can empty a batch's tail and markers are not records: move past the whole batch.
    next = Math.max(next, Number(lastOffset) + 1)
  }
  return { records, next }
}
