// One partition in cluster mode, behind the storage engine's PartitionLog interface, so Produce,
// Fetch, ListOffsets and Metadata work unchanged. Appends go to the object writer when this broker
// holds the partition's lease (NOT_LEADER_OR_FOLLOWER otherwise, which sends clients to Metadata for
// the leader); reads come from committed objects on any broker. The log end offset, high watermark and
// last stable offset are all the committed high watermark: nothing is visible before its commit.
//
// Idempotent and transactional batches are checked at the leader against the producer state
// (object-writer.ts); open transactions hold the last stable offset back and read_committed reads get
// the aborted transactions (object-reader.ts). Not yet (docs/cluster.md): compaction.

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { AppendNotifier } from '../storage/append-notifier.ts'
import { readStoredBatchHeader, storedHeaderBytes, validateAppendBatches } from '../storage/batch.ts'
import { firstRecordAtOrAfter, recordWithMaxTimestamp } from '../storage/timestamp-lookup.ts'
import type { TopicConfig } from '../storage/topic-config.ts'
import type {
  ActiveProducer,
  AppendOptions,
  AppendResult,
  EpochEndOffset,
  PartitionLog,
  ReadOptions,
  ReadResult,
  TimestampOffset,
  Unsubscribe,
} from '../storage/types.ts'
import type { PartitionRow } from './catalog.ts'
import type { MetadataDatabase } from './database.ts'
import type { Leadership } from './leadership.ts'
import type { ObjectReader } from './object-reader.ts'
import type { ObjectWriter } from './object-writer.ts'

export interface PartitionServices {
  database: MetadataDatabase
  writer: ObjectWriter
  reader: ObjectReader
  leadership: Leadership
  onListenerError(error: unknown): void
  /** Moves the log start offset in PostgreSQL, fenced by this broker's lease at `leaderEpoch`
   * (log-start.ts); null when the lease moved. */
  advanceLogStart(
    topicId: string,
    partition: number,
    leaderEpoch: number,
    offset: number,
  ): Promise<number | null>
}

export class ClusterPartitionLog implements PartitionLog {
  private shared: PartitionRow
  private readonly notifier: AppendNotifier
  private notifiedHighWatermark: number
  /** Fetches waiting on this partition (listeners and waitForAppend calls). */
  private waiters = 0
  /** The last stable offset the last read saw (null: none yet). */
  private observedStableOffset: number | null = null

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly partition: number,
    public config: TopicConfig,
    row: PartitionRow,
    private readonly services: PartitionServices,
  ) {
    this.shared = row
    this.notifiedHighWatermark = row.highWatermark
    this.notifier = new AppendNotifier(services.onListenerError)
  }

  /** The shared state as the last sync (or this broker's own commit) saw it. */
  get state(): PartitionRow {
    return this.shared
  }

  /** New shared state from the database; wakes waiting fetches when the high watermark moved. */
  observe(row: PartitionRow): void {
    const highWatermark = Math.max(row.highWatermark, this.shared.highWatermark)
    const logStartOffset = Math.max(row.logStartOffset, this.shared.logStartOffset)
    this.shared = { ...row, highWatermark, logStartOffset }
    this.wakeIfAdvanced()
  }

  /** This broker committed up to `highWatermark` (exclusive). */
  committed(highWatermark: number): void {
    if (highWatermark > this.shared.highWatermark) this.shared = { ...this.shared, highWatermark }
    this.wakeIfAdvanced()
  }

  private wakeIfAdvanced(): void {
    const highWatermark = this.highWatermark
    if (highWatermark <= this.notifiedHighWatermark) return
    this.notifiedHighWatermark = highWatermark
    this.notifier.notify(highWatermark)
  }

  get highWatermark(): number {
    const led = this.services.leadership.get(this.topicId, this.partition)
    return Math.max(led?.highWatermark ?? 0, this.shared.highWatermark)
  }

  get logEndOffset(): number {
    return this.highWatermark
  }

  /** At the leader, as of its last commit; elsewhere, as the last read saw it (clients ask leaders). */
  get lastStableOffset(): number {
    const led = this.services.leadership.get(this.topicId, this.partition)
    if (led !== undefined) return Math.min(led.lastStableOffset, this.highWatermark)
    return Math.min(this.observedStableOffset ?? this.highWatermark, this.highWatermark)
  }

  get logStartOffset(): number {
    return this.shared.logStartOffset
  }

  get sizeBytes(): number {
    return 0
  }

  /** The current leader epoch (Metadata, Fetch's current_leader_epoch check). */
  get latestEpoch(): number {
    const led = this.services.leadership.get(this.topicId, this.partition)
    return led?.leaderEpoch ?? this.shared.leaderEpoch
  }

  async append(batches: Buffer, options: AppendOptions): Promise<AppendResult> {
    if (this.services.leadership.writable(this.topicId, this.partition) === undefined)
      throw new KafkaError(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `this broker does not lead ${this.topic}-${this.partition}`,
      )
    const spans = validateAppendBatches(batches, {
      maxMessageBytes: this.config.maxMessageBytes,
      origin: options.origin ?? 'client',
    })
    return this.services.writer.append(this.topicId, this.partition, batches, spans, {
      logAppendTime: this.config.messageTimestampType === 'LogAppendTime',
    })
  }

  async read(fetchOffset: number, maxBytes: number, options?: ReadOptions): Promise<ReadResult> {
    const result = await this.services.reader.read(this.topicId, this.partition, fetchOffset, maxBytes, {
      readCommitted: options?.isolation === 'read_committed',
    })
    this.observedStableOffset = result.lastStableOffset
    this.observe({
      ...this.shared,
      highWatermark: result.highWatermark,
      logStartOffset: result.logStartOffset,
    })
    return result
  }

  async offsetForTimestamp(timestampMs: number): Promise<TimestampOffset | null> {
    const hit = await this.batchWhere('max_timestamp >= $3 ORDER BY base_offset', timestampMs, (header) =>
      header.maxTimestamp >= timestampMs ? 'take' : 'skip',
    )
    if (hit === null) return null
    return firstRecordAtOrAfter((offset) => this.read(offset, 1), hit, timestampMs)
  }

  async maxTimestampOffset(): Promise<TimestampOffset | null> {
    const rows = await this.services.database.query<{ max_timestamp: number }>(
      'SELECT max(max_timestamp) AS max_timestamp FROM partition_objects WHERE topic_id = $1 AND partition = $2',
      [this.topicId, this.partition],
    )
    const maxTimestamp = rows[0]?.max_timestamp
    if (maxTimestamp === null || maxTimestamp === undefined) return null
    const hit = await this.batchWhere(
      'max_timestamp = $3 ORDER BY base_offset',
      Number(maxTimestamp),
      (header) => (header.maxTimestamp === Number(maxTimestamp) ? 'take' : 'skip'),
    )
    if (hit === null) return null
    return recordWithMaxTimestamp((offset) => this.read(offset, 1), hit)
  }

  /** The first batch (its base offset and max timestamp) of the first indexed part matching `where`. */
  private async batchWhere(
    where: string,
    value: number,
    pick: (header: { maxTimestamp: number }) => 'take' | 'skip',
  ): Promise<TimestampOffset | null> {
    const rows = await this.services.database.query<{ base_offset: number }>(
      `SELECT base_offset FROM partition_objects WHERE topic_id = $1 AND partition = $2 AND ${where} LIMIT 1`,
      [this.topicId, this.partition, value],
    )
    if (rows.length === 0) return null
    const { records } = await this.read(Number(rows[0].base_offset), 1024 * 1024)
    let position = 0
    while (records.length - position >= storedHeaderBytes) {
      const header = readStoredBatchHeader(records, position)
      if (pick(header) === 'take') return { offset: header.baseOffset, timestamp: header.maxTimestamp }
      position += header.sizeBytes
    }
    return null
  }

  /** DeleteRecords (at the leader, as Kafka): the log start offset moves in PostgreSQL; index rows
   * wholly below it go and their objects are deleted from the store later (object-cleaner.ts). */
  async deleteRecordsBefore(offset: number): Promise<number> {
    const led = this.services.leadership.writable(this.topicId, this.partition)
    const notLeader = () =>
      new KafkaError(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `this broker does not lead ${this.topic}-${this.partition}`,
      )
    if (led === undefined) throw notLeader()
    if (offset < 0 || offset > this.highWatermark)
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is above the high watermark`)
    const logStartOffset = await this.services.advanceLogStart(
      this.topicId,
      this.partition,
      led.leaderEpoch,
      offset,
    )
    if (logStartOffset === null) throw notLeader()
    this.startMoved(logStartOffset)
    return logStartOffset
  }

  /** The log start offset moved (this broker's DeleteRecords or retention). */
  startMoved(logStartOffset: number): void {
    if (logStartOffset > this.shared.logStartOffset) this.shared = { ...this.shared, logStartOffset }
  }

  /** Committed data is never truncated in cluster mode: every epoch up to the current one ends at the
   * high watermark, so a client validating its position after a leader change never truncates. */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    if (leaderEpoch > this.latestEpoch || leaderEpoch < 0) return { leaderEpoch: -1, endOffset: -1 }
    return { leaderEpoch, endOffset: this.highWatermark }
  }

  activeProducers(): ActiveProducer[] {
    return []
  }

  onAppend(listener: (logEndOffset: number) => void): Unsubscribe {
    const unsubscribe = this.notifier.onAppend(listener)
    this.waiters += 1
    let removed = false
    return () => {
      if (removed) return
      removed = true
      this.waiters -= 1
      unsubscribe()
    }
  }

  async waitForAppend(
    offset: number,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<boolean> {
    this.waiters += 1
    try {
      return await this.notifier.waitFor(offset, () => this.highWatermark, options)
    } finally {
      this.waiters -= 1
    }
  }

  /** Whether a Fetch waits on this partition (the sync loop then polls its high watermark). */
  get hasWaiters(): boolean {
    return this.waiters > 0
  }
}
