// A sink task's consumer: a member of the connector's group (`connect-<name>`, Kafka Connect's
// naming), reading its assigned partitions from the committed offsets (earliest when none) and
// committing only what the runtime says. @platformatic/kafka does the group protocol.

import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka'
import type { KafkaClientOptions } from './kafka-client.ts'

export interface ConsumedMessage {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
}

export class GroupConsumer {
  private readonly consumer: Consumer
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null

  constructor(options: KafkaClientOptions & { groupId: string }) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      bootstrapBrokers: options.bootstrap,
      groupId: options.groupId,
      connectTimeout: 10_000,
      timeout: 30_000,
      retries: 5,
      retryDelay: 250,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
    })
  }

  async subscribe(topics: string[]): Promise<void> {
    this.stream = await this.consumer.consume({
      topics,
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
      maxWaitTime: 500,
    })
  }

  /** Up to `max` messages; waits at most `waitMs` when none is buffered. */
  async poll(max: number, waitMs: number): Promise<ConsumedMessage[]> {
    const stream = this.stream
    if (stream === null) return []
    const batch: ConsumedMessage[] = []
    const drain = (): void => {
      while (batch.length < max) {
        const message = stream.read() as Message<Buffer, Buffer, Buffer, Buffer> | null
        if (message === null) return
        batch.push(consumedOf(message))
      }
    }
    drain()
    if (batch.length > 0) return batch
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        stream.off('readable', done)
        stream.off('error', done)
        resolve()
      }
      const timer = setTimeout(done, waitMs)
      stream.once('readable', done)
      stream.once('error', done)
    })
    drain()
    return batch
  }

  /** Commits next offsets to read (offset = last consumed + 1) for the group's generation. */
  async commit(offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (offsets.length === 0) return
    await this.consumer.commit({
      offsets: offsets.map((entry) => ({ ...entry, offset: BigInt(entry.offset), leaderEpoch: -1 })),
    })
  }

  async close(): Promise<void> {
    await this.stream?.close().catch(() => undefined)
    await this.consumer.close(true)
  }
}

function consumedOf(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: [...message.headers].map(([key, value]) => [key.toString('utf8'), value ?? null]),
  }
}
