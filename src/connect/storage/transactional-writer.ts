// A task's transactional producer (KIP-618): one transactional.id per source task
// (`<group.id>-<connector>-<task>`, Kafka's name), so a restarted or moved task fences the producer it
// replaces — InitProducerId bumps the epoch and the coordinator aborts that producer's open
// transaction — before the task reads its offsets. Records and their connect-offsets entries are sent
// in one transaction; a read_committed reader sees both or neither.

import { compatibilityPartitioner, ProduceAcks, Producer } from '@platformatic/kafka'
import { type KafkaClientOptions, type ProducedRecord, toMessage } from './kafka-client.ts'

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>

export interface TransactionalWriterOptions extends KafkaClientOptions {
  transactionalId: string
  /** transaction.timeout.ms: how long the coordinator lets an abandoned transaction stay open. */
  transactionTimeoutMs: number
}

export class TransactionalWriter {
  private readonly producer: Producer
  private transaction: Transaction | null = null

  constructor(readonly options: TransactionalWriterOptions) {
    this.producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.bootstrap,
      connectTimeout: 10_000,
      // The client sends its request timeout as the transaction timeout in InitProducerId.
      timeout: options.transactionTimeoutMs,
      retries: 5,
      retryDelay: 250,
      autocreateTopics: true,
      idempotent: true,
      acks: ProduceAcks.ALL,
      transactionalId: options.transactionalId,
      // Kafka's "no producer" (-1/-1) in InitProducerId: the client's default 0/0 names producer id 0
      // epoch 0 as the one to resume (KIP-360), and a coordinator answers PRODUCER_FENCED to that once
      // the transactional id has another producer id or a later epoch (every restart of a task).
      producerId: -1n,
      producerEpoch: -1,
      partitioner: compatibilityPartitioner,
    })
  }

  /** InitProducerId for the transactional id: fences older producers and aborts their open transaction. */
  async fence(): Promise<void> {
    const transaction = await this.producer.beginTransaction()
    await transaction.cancel() // nothing was sent: the local transaction just goes away
  }

  get open(): boolean {
    return this.transaction !== null
  }

  /** Sends in the open transaction (begun on first use); resolves once acknowledged. */
  async send(records: ProducedRecord[]): Promise<Array<{ partition: number; offset: number }>> {
    if (records.length === 0) return []
    this.transaction ??= await this.producer.beginTransaction()
    const result = await this.transaction.send({ messages: records.map(toMessage) })
    const first = new Map<string, number>()
    for (const entry of result.offsets ?? [])
      first.set(`${entry.topic}\u0000${entry.partition}`, Number(entry.offset))
    // The answer gives each partition's base offset; records of one partition follow in order.
    return records.map((record) => {
      const partition =
        record.partition ??
        (result.offsets ?? []).find((entry) => entry.topic === record.topic)?.partition ??
        0
      const key = `${record.topic}\u0000${partition}`
      const offset = first.get(key) ?? -1
      if (offset >= 0) first.set(key, offset + 1)
      return { partition, offset }
    })
  }

  async commit(): Promise<void> {
    const transaction = this.transaction
    if (transaction === null) return
    this.transaction = null
    await transaction.commit()
  }

  async abort(): Promise<void> {
    const transaction = this.transaction
    if (transaction === null) return
    this.transaction = null
    await transaction.abort()
  }

  async close(): Promise<void> {
    await this.producer.close(true)
  }
}

/**
 * Kafka's Admin.fenceProducers: InitProducerId for each transactional id, so a zombie producer with one
 * of them can neither send nor commit again, and its open transaction is aborted by the coordinator.
 */
export async function fenceProducers(
  options: KafkaClientOptions & { transactionTimeoutMs: number },
  transactionalIds: string[],
): Promise<void> {
  await Promise.all(
    transactionalIds.map(async (transactionalId) => {
      const writer = new TransactionalWriter({
        ...options,
        clientId: `${options.clientId}-fencing`,
        transactionalId,
      })
      try {
        await writer.fence()
      } finally {
        await writer.close()
      }
    }),
  )
}
