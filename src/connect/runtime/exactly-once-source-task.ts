// ExactlyOnceWorkerSourceTask (KIP-618): a source task whose records and their source offsets reach
// Kafka in one transaction of the task's own transactional producer. The offsets go to
// connect-offsets inside the transaction, right before it commits, so a read_committed consumer and
// the offset reader see a record if and only if its offset is committed: after a crash (even SIGKILL)
// the task resumes exactly after the last committed transaction — nothing lost, nothing twice.
// Transaction boundaries (the connector's `transaction.boundary`): `poll` commits every non-empty
// poll; `interval` every `transaction.boundary.interval.ms`; `connector` when the task asks through
// its TransactionContext. The producer fences older instances of the task before offsets are read.

import type { TransactionContext } from '../sdk/connector.ts'
import type { OffsetMap, SourceRecord } from '../sdk/records.ts'
import type { ProducedRecord } from '../storage/kafka-client.ts'
import { jsonBytes } from '../storage/state-topics.ts'
import type { TransactionalWriter } from '../storage/transactional-writer.ts'
import { WorkerSourceTask, type WorkerSourceTaskOptions } from './worker-source-task.ts'

export type TransactionBoundary = 'poll' | 'interval' | 'connector'

export interface ExactlyOnceOptions {
  writer: TransactionalWriter
  boundary: TransactionBoundary
  /** `interval`: how long a transaction stays open. */
  intervalMs: number
}

/** What the task asked through its TransactionContext, applied after a record or after the poll. */
type Request = 'commit' | 'abort'

export class ExactlyOnceWorkerSourceTask extends WorkerSourceTask {
  /** Source offsets of records in the open transaction (latest per canonical partition). */
  private readonly transactionOffsets = new Map<string, { partition: OffsetMap; offset: OffsetMap }>()
  /** Records sent in the open transaction, told to the task (commitRecord) once it commits. */
  private sent: Array<{ record: SourceRecord; topic: string; partition: number; offset: number }> = []
  private transactionStartMs = Date.now()
  private afterPoll: Request | null = null
  private readonly afterRecord = new Map<SourceRecord, Request>()

  constructor(
    options: WorkerSourceTaskOptions,
    private readonly exactlyOnce: ExactlyOnceOptions,
  ) {
    super(options)
  }

  protected override async initialize(): Promise<void> {
    const { task, taskConfig, offsets, id } = this.options
    // Fence first: a zombie of this task can no longer commit, and its open transaction is aborted,
    // so the offsets read next are final.
    await this.exactlyOnce.writer.fence()
    await offsets.readToEnd()
    await task.start(taskConfig, {
      offsetStorageReader: { offset: (partition) => offsets.offset(id.connector, partition) },
      transactionContext: this.exactlyOnce.boundary === 'connector' ? this.transactionContext() : null,
    })
  }

  private transactionContext(): TransactionContext {
    return {
      commitTransaction: (record) => this.request('commit', record),
      abortTransaction: (record) => this.request('abort', record),
    }
  }

  private request(request: Request, record: SourceRecord | undefined): void {
    if (record === undefined) this.afterPoll = request
    else this.afterRecord.set(record, request)
  }

  protected override async iteration(): Promise<void> {
    const { task, metrics } = this.options
    const pollStartMs = performance.now()
    const polled = (await task.poll()) ?? []
    const pollMs = performance.now() - pollStartMs
    // Counted before the writes (they make polled records no longer active).
    if (polled.length > 0) metrics.recordsPolled(polled.length, pollMs)
    let segment: Array<{ record: SourceRecord; produced: ProducedRecord | null }> = []
    for (const record of polled) {
      segment.push({ record, produced: await this.convert(record) })
      const request = this.afterRecord.get(record)
      if (request !== undefined) {
        this.afterRecord.delete(record)
        await this.sendSegment(segment)
        segment = []
        await this.end(request)
      }
    }
    await this.sendSegment(segment)
    const { boundary } = this.exactlyOnce
    if (boundary === 'poll' && polled.length > 0) await this.end('commit')
    else if (boundary === 'connector' && this.afterPoll !== null) {
      const request = this.afterPoll
      this.afterPoll = null
      await this.end(request)
    } else if (boundary === 'interval' && Date.now() - this.transactionStartMs >= this.exactlyOnce.intervalMs)
      await this.end('commit')
  }

  private async sendSegment(
    segment: Array<{ record: SourceRecord; produced: ProducedRecord | null }>,
  ): Promise<void> {
    const toSend = segment.filter(
      (entry): entry is { record: SourceRecord; produced: ProducedRecord } => entry.produced !== null,
    )
    const written = await this.exactlyOnce.writer.send(toSend.map((entry) => entry.produced))
    toSend.forEach((entry, index) => {
      this.options.onTopic(entry.produced.topic)
      this.sent.push({ record: entry.record, topic: entry.produced.topic, ...written[index] })
    })
    this.options.metrics.recordsWritten(toSend.length, segment.length)
    // Every record of the segment (also the dropped or skipped ones) is done when the transaction is.
    for (const { record } of segment) {
      if (record.sourcePartition === null || record.sourceOffset === null) continue
      this.transactionOffsets.set(JSON.stringify(record.sourcePartition), {
        partition: record.sourcePartition,
        offset: record.sourceOffset,
      })
    }
  }

  /** Commits (offsets written inside the transaction first) or aborts the open transaction. */
  private async end(request: Request): Promise<void> {
    const { writer } = this.exactlyOnce
    const { offsets, task, id } = this.options
    const entries = [...this.transactionOffsets.values()]
    const sent = this.sent
    this.transactionOffsets.clear()
    this.sent = []
    this.transactionStartMs = Date.now()
    const startMs = performance.now()
    if (request === 'abort') {
      await writer.abort()
      return
    }
    try {
      await writer.send(
        entries.map(({ partition, offset }) => ({
          topic: offsets.topic, // connect-offsets, or the connector's offsets.storage.topic
          key: jsonBytes([id.connector, partition]),
          value: jsonBytes(offset),
        })),
      )
      await writer.commit()
    } catch (error) {
      this.options.metrics.offsetCommitFailed()
      await writer.abort().catch(() => undefined)
      throw error
    }
    // Committed: the offset store learns it now (its tail reads the same records back later).
    for (const { partition, offset } of entries) offsets.applyRecord([id.connector, partition], offset)
    // With the connector's own offsets topic, the global one gets its copy after the commit (Kafka's).
    await offsets
      .afterCommit(id.connector, entries)
      .catch((error: unknown) =>
        this.options.log.warn(
          { err: error, connector: id.connector },
          'copying offsets to the global topic failed',
        ),
      )
    for (const entry of sent)
      task.commitRecord?.(entry.record, {
        topic: entry.topic,
        partition: entry.partition,
        offset: entry.offset,
      })
    if (entries.length === 0 && sent.length === 0) return
    this.options.metrics.offsetsCommitted(performance.now() - startMs)
    await task.commit?.()
  }

  protected override async close(): Promise<void> {
    try {
      // A failed task never commits; `connector` boundaries the task did not ask for are aborted
      // (they may be half a unit); `interval` commits what it holds, as Kafka's final commit does.
      if (this.failed || this.exactlyOnce.boundary === 'connector') await this.exactlyOnce.writer.abort()
      else await this.end('commit')
    } finally {
      try {
        await this.options.task.stop()
        this.options.transforms.close()
      } finally {
        await this.exactlyOnce.writer.close()
      }
    }
  }
}
