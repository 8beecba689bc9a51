// Sends records to one topic in batches with a bounded number of sends in flight, and keeps, per
// partition, the first and last offset written. Shared by produce, topics import, benchmark and
// migrate. Partitions are chosen here, as Kafka's Java client does: an explicit partition wins, a
// key goes to toPositive(murmur2(key)) % partitions, keyless records stick to one partition per
// batch (round-robin across batches).
import type { MessageToProduce, Producer } from '@platformatic/kafka'
import type { RecordHeader, RecordInput } from '../../../protocol/records/record.ts'
import { loadPlatformatic } from '../kafka-clients.ts'
import type { RawProducer } from './raw-produce.ts'

export interface OutgoingRecord {
  key: Buffer | null
  value: Buffer | null
  headers: [Buffer, Buffer | null][]
  partition?: number
  timestamp?: bigint
}

export interface PartitionWritten {
  partition: number
  firstOffset: bigint
  lastOffset: bigint
  count: number
}

export interface BatchSenderOptions {
  acks: number
  /** Records per send; a send also closes at batchBytesMax. */
  batchRecordsMax?: number
  batchBytesMax?: number
  /** Sends awaiting an answer at once (1 keeps strict order across batches). */
  inFlightMax?: number
  /** Called once per acknowledged batch with its latency. */
  onBatchAcknowledged?: (records: number, latencyMs: number) => void
  /** Send through raw-produce.ts (uncompressed, text header keys) instead of the library's producer. */
  raw?: RawProducer
}

/** Shared by every record without headers (never mutated): one array less per record. */
const noHeaders: RecordHeader[] = []
const defaultBatchRecordsMax = 5000
const defaultBatchBytesMax = 1024 * 1024
const defaultInFlightMax = 1

interface PendingBatch {
  messages: MessageToProduce[]
  /** The raw path's records, per partition. */
  raw: Map<number, RecordInput[]>
  count: number
  countByPartition: Map<number, number>
  bytes: number
}

function emptyBatch(): PendingBatch {
  return { messages: [], raw: new Map(), count: 0, countByPartition: new Map(), bytes: 0 }
}

export class BatchSender {
  readonly #producer: Producer
  readonly #topic: string
  readonly #partitionCount: number
  readonly #options: Required<Omit<BatchSenderOptions, 'onBatchAcknowledged' | 'raw'>> &
    Pick<BatchSenderOptions, 'onBatchAcknowledged' | 'raw'>
  readonly #written = new Map<number, PartitionWritten>()
  readonly #inFlight = new Set<Promise<void>>()
  #murmur2: ((data: Buffer) => number) | undefined
  #stickyPartition = 0
  #batch: PendingBatch = emptyBatch()
  #failure: unknown
  recordsSent = 0

  constructor(producer: Producer, topic: string, partitionCount: number, options: BatchSenderOptions) {
    this.#producer = producer
    this.#topic = topic
    this.#partitionCount = partitionCount
    this.#options = {
      acks: options.acks,
      batchRecordsMax: options.batchRecordsMax ?? defaultBatchRecordsMax,
      batchBytesMax: options.batchBytesMax ?? defaultBatchBytesMax,
      inFlightMax: options.inFlightMax ?? defaultInFlightMax,
      onBatchAcknowledged: options.onBatchAcknowledged,
      raw: options.raw,
    }
  }

  #partitionOf(record: OutgoingRecord): number {
    if (record.partition !== undefined) return record.partition
    if (record.key !== null && this.#murmur2 !== undefined) {
      return (this.#murmur2(record.key) & 0x7fffffff) % this.#partitionCount
    }
    return this.#stickyPartition
  }

  /** Buffers a record; a promise only when a batch is sent (the caller awaits it, bounded by
   * --timeout), null otherwise, so a million-line produce does not pay for a promise per line. */
  add(record: OutgoingRecord): Promise<void> | null {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (this.#murmur2 === undefined) return this.#loadThenAdd(record)
    const partition = this.#partitionOf(record)
    const batch = this.#batch
    if (this.#options.raw !== undefined) {
      let records = batch.raw.get(partition)
      if (records === undefined) {
        records = []
        batch.raw.set(partition, records)
      }
      records.push({
        timestamp: record.timestamp === undefined ? Date.now() : Number(record.timestamp),
        key: record.key,
        value: record.value,
        headers:
          record.headers.length === 0
            ? noHeaders
            : record.headers.map(([key, value]) => ({ key: key.toString('utf8'), value })),
      })
    } else {
      batch.messages.push({
        topic: this.#topic,
        partition,
        key: record.key ?? undefined,
        value: record.value ?? undefined,
        // The encoder writes a null header value as length -1, as Kafka does; its type says Buffer only.
        headers: new Map(record.headers) as Map<Buffer, Buffer>,
        timestamp: record.timestamp,
      })
    }
    batch.count += 1
    batch.countByPartition.set(partition, (batch.countByPartition.get(partition) ?? 0) + 1)
    batch.bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 16
    if (batch.count >= this.#options.batchRecordsMax || batch.bytes >= this.#options.batchBytesMax) {
      return this.#sendBatch()
    }
    return null
  }

  async #loadThenAdd(record: OutgoingRecord): Promise<void> {
    const { murmur2 } = await loadPlatformatic()
    this.#murmur2 = (data) => murmur2(data, false)
    await this.add(record)
  }

  async #sendBatch(): Promise<void> {
    const batch = this.#batch
    if (batch.count === 0) return
    this.#batch = emptyBatch()
    this.#stickyPartition = (this.#stickyPartition + 1) % this.#partitionCount
    while (this.#inFlight.size >= this.#options.inFlightMax) await Promise.race(this.#inFlight)
    const started = performance.now()
    const raw = this.#options.raw
    const sent =
      raw === undefined
        ? this.#producer
            .send({ messages: batch.messages, acks: this.#options.acks })
            .then((result) => result.offsets ?? [])
        : raw.send(batch.raw, this.#options.acks)
    const sending = sent
      .then((offsets) => {
        this.recordsSent += batch.count
        this.#options.onBatchAcknowledged?.(batch.count, performance.now() - started)
        for (const { partition, offset } of offsets)
          this.#note(partition, offset, batch.countByPartition.get(partition) ?? 0)
        if (this.#options.acks === 0) {
          for (const [partition, count] of batch.countByPartition) this.#note(partition, -1n, count)
        }
      })
      .catch((error: unknown) => {
        this.#failure ??= error
      })
      .finally(() => this.#inFlight.delete(sending))
    this.#inFlight.add(sending)
    if (this.#failure !== undefined) throw this.#failure
  }

  #note(partition: number, baseOffset: bigint, count: number): void {
    const lastOffset = baseOffset < 0n ? -1n : baseOffset + BigInt(count) - 1n
    const seen = this.#written.get(partition)
    if (seen === undefined) {
      this.#written.set(partition, { partition, firstOffset: baseOffset, lastOffset, count })
      return
    }
    if (baseOffset >= 0n && (seen.firstOffset < 0n || baseOffset < seen.firstOffset))
      seen.firstOffset = baseOffset
    if (lastOffset > seen.lastOffset) seen.lastOffset = lastOffset
    seen.count += count
  }

  /** Sends what is buffered and waits for every send; throws the first failure. */
  async flush(): Promise<void> {
    await this.#sendBatch()
    await Promise.all(this.#inFlight)
    if (this.#failure !== undefined) throw this.#failure
  }

  written(): PartitionWritten[] {
    return [...this.#written.values()].sort((a, b) => a.partition - b.partition)
  }
}
