// KafkaBasedLog (Kafka Connect's name): a state topic read from its beginning into memory, then
// tailed. Every record, including our own writes, reaches the store through `apply` in log order, so
// state after a restart (or a SIGKILL) is exactly the replay of the topic. `readToEnd()` resolves once
// every record written before the call has been applied (the waiter is registered before the end
// offsets are asked, so a record landing in between is never missed). It reads committed records
// only, up to the last stable offset: transaction markers and aborted records are skipped.

import type { Logger } from '../../log.ts'
import {
  ensureTopic,
  type FetchedRecord,
  type KafkaClientOptions,
  KafkaReader,
  KafkaWriter,
  type ProducedRecord,
} from './kafka-client.ts'

export interface StateTopic {
  name: string
  partitions: number
  /** Topic configs it is created with (cleanup.policy=compact for every Connect state topic). */
  configs: Record<string, string>
}

const tailWaitMs = 500
const errorBackoffMs = 1_000

export class KafkaBasedLog {
  private readonly reader: KafkaReader
  private readonly writer: KafkaWriter
  private readonly positions = new Map<number, number>()
  private waiters: Array<{ ends: number[]; resolve: () => void }> = []
  private running = false
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly client: KafkaClientOptions,
    readonly topic: StateTopic,
    private readonly apply: (record: FetchedRecord) => void,
    private readonly log: Logger,
  ) {
    this.reader = new KafkaReader({ ...client, clientId: `${client.clientId}-${topic.name}` })
    this.writer = new KafkaWriter({ ...client, clientId: `${client.clientId}-${topic.name}` })
  }

  /** Creates the topic if needed, replays it to its end, then keeps tailing it. */
  async start(): Promise<void> {
    await ensureTopic(this.client, this.topic)
    const count = await this.reader.partitionCount(this.topic.name)
    const starts = await this.reader.beginningOffsets(this.topic.name)
    for (let partition = 0; partition < count; partition++)
      this.positions.set(partition, starts[partition] ?? 0)
    this.running = true
    this.tail = this.tailLoop()
    await this.readToEnd()
  }

  async send(records: Array<Omit<ProducedRecord, 'topic'>>): Promise<void> {
    await this.writer.send(records.map((record) => ({ ...record, topic: this.topic.name })))
  }

  /** Resolves once everything in the topic now has been applied. */
  async readToEnd(): Promise<void> {
    const ends = await this.reader.endOffsets(this.topic.name)
    if (this.reached(ends)) return
    await new Promise<void>((resolve) => {
      this.waiters.push({ ends, resolve })
    })
  }

  /** Offset of the last record applied from partition 0 (-1: none); connect-configs has one partition. */
  lastOffset(): number {
    return (this.positions.get(0) ?? 0) - 1
  }

  private reached(ends: number[]): boolean {
    return ends.every((end, partition) => (this.positions.get(partition) ?? 0) >= end)
  }

  private async tailLoop(): Promise<void> {
    while (this.running) {
      try {
        const fetched = await this.reader.fetch(this.topic.name, this.positions, tailWaitMs)
        for (const record of fetched.records) {
          if (record.offset < (this.positions.get(record.partition) ?? 0)) continue
          this.positions.set(record.partition, record.offset + 1)
          this.applySafely(record)
        }
        for (const [partition, next] of fetched.next)
          if (next > (this.positions.get(partition) ?? 0)) this.positions.set(partition, next)
        this.wakeWaiters()
      } catch (error) {
        if (!this.running) return
        this.log.warn(
          { err: error, topic: this.topic.name },
          'reading a Connect state topic failed; retrying',
        )
        await new Promise((resolve) => setTimeout(resolve, errorBackoffMs))
      }
    }
  }

  private applySafely(record: FetchedRecord): void {
    try {
      this.apply(record)
    } catch (error) {
      // A record we cannot read (written by something else) must not stop the log.
      this.log.warn(
        { err: error, topic: record.topic, offset: record.offset },
        'skipping an unreadable Connect state record',
      )
    }
  }

  private wakeWaiters(): void {
    const still: typeof this.waiters = []
    for (const waiter of this.waiters) {
      if (this.reached(waiter.ends)) waiter.resolve()
      else still.push(waiter)
    }
    this.waiters = still
  }

  async stop(): Promise<void> {
    this.running = false
    await this.tail
    for (const waiter of this.waiters) waiter.resolve()
    this.waiters = []
    await Promise.allSettled([this.reader.close(), this.writer.close()])
  }
}
