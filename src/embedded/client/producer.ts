// The in-process producer: records become record batch v2 (the broker's own buildBatch: CRC32C, the
// same codecs) and go to the Produce handler as a decoded request, so they are validated and appended
// exactly as a network producer's batches are. Batching like a Kafka producer: records wait up to
// `lingerMs` (default 0: each send is its own request) and a batch holds at most `batchSize` bytes.
// Requests leave one at a time in send order, so an idempotent producer's sequences never race.

import { EncodeError, KafkaError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { buildBatch } from '../../protocol/records/batch-v2.ts'
import { CompressionCodec } from '../../protocol/records/compression/index.ts'
import { handOver } from '../../storage/handed-over.ts'
import type { BrokerCalls } from './broker-calls.ts'
import type { OffsetsSource } from './offsets.ts'
import { type PartitionerName, partitionerOf } from './partitioners.ts'
import { ProducerIdentity } from './producer-identity.ts'
import {
  bytesOf,
  estimatedSize,
  headersOf,
  type PreparedRecord,
  partitionOf,
  timestampOf,
} from './record-input.ts'
import type {
  CompressionName,
  Partitioner,
  ProducerRecord,
  RecordBytes,
  RecordMetadata,
  Serializer,
  TopicPartitionOffset,
} from './types.ts'

export interface ProducerOptions<K = RecordBytes | null, V = RecordBytes | null> {
  /** -1 (all, default): answered after fdatasync in dataDir mode · 1: after the write · 0: not awaited. */
  acks?: -1 | 0 | 1
  compression?: CompressionName
  /** Producer id and sequence numbers, so the log refuses duplicates (default false; true with transactionalId). */
  idempotent?: boolean
  /** Makes the producer transactional (`producer.transaction()`); implies idempotent. */
  transactionalId?: string
  /** `transaction.timeout.ms` (default 60000). */
  transactionTimeoutMs?: number
  partitioner?: PartitionerName | Partitioner
  /** How long records wait for more to share their request (default 0). */
  lingerMs?: number
  /** A batch's size bound in bytes before compression (default 16384, as Kafka's batch.size). */
  batchSize?: number
  keySerializer?: Serializer<K>
  valueSerializer?: Serializer<V>
}

/** One `send()` call: its records' metadata fill in as their batches are answered. */
interface SendCall {
  metadata: RecordMetadata[]
  remaining: number
  failed: boolean
  resolve: (metadata: RecordMetadata[]) => void
  reject: (error: unknown) => void
}

/**
 * A record waiting for its request, and where its answer goes (one promise per send, not per record).
 * It is the batch builder's input itself: one object per record from send() to the batch.
 */
interface Pending extends PreparedRecord {
  topic: string
  call: SendCall
  index: number
}

const ignore = (): void => {}

function settle(record: Pending, metadata: RecordMetadata): void {
  const { call } = record
  if (call.failed) return
  call.metadata[record.index] = metadata
  call.remaining -= 1
  if (call.remaining === 0) call.resolve(call.metadata)
}

function fail(record: Pending, error: unknown): void {
  if (record.call.failed) return
  record.call.failed = true
  record.call.reject(error)
}

const defaultBatchSize = 16_384

export class InProcessProducer<K = RecordBytes | null, V = RecordBytes | null> {
  readonly #calls: BrokerCalls
  readonly #options: ProducerOptions<K, V>
  readonly #partitioner: Partitioner
  readonly #builtInPartitioner: boolean
  readonly #codec: CompressionCodec
  readonly identity: ProducerIdentity
  #pending: Pending[] = []
  #pendingBytes = 0
  #lingerTimer: NodeJS.Timeout | null = null
  #chain: Promise<void> = Promise.resolve()
  #closed = false

  constructor(calls: BrokerCalls, options: ProducerOptions<K, V> = {}) {
    const codec = CompressionCodec[options.compression ?? 'none']
    if (codec === undefined) throw new EncodeError(`unknown compression ${String(options.compression)}`)
    const acks = options.acks ?? -1
    if (![-1, 0, 1].includes(acks))
      throw new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, 'acks must be -1, 0 or 1')
    const idempotent = options.idempotent === true || options.transactionalId !== undefined
    if (idempotent && acks !== -1)
      throw new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, 'an idempotent producer needs acks=-1 (all)')
    this.#calls = calls
    this.#options = options
    this.#codec = codec
    this.#partitioner = partitionerOf(options.partitioner)
    this.#builtInPartitioner = typeof options.partitioner !== 'function'
    this.identity = new ProducerIdentity(calls, {
      idempotent,
      transactionalId: options.transactionalId ?? null,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000,
    })
  }

  /** Sends records to one topic; resolves with each record's partition and offset, in order. */
  async send(topic: string, records: ProducerRecord<K, V>[]): Promise<RecordMetadata[]> {
    if (this.#closed) throw new KafkaError(ErrorCode.PRODUCER_FENCED, 'the producer is closed')
    if (typeof topic !== 'string') throw new EncodeError('topic must be a string')
    if (!Array.isArray(records)) throw new EncodeError('records must be an array of records')
    const description = this.#calls.services.logs.getTopic(topic)
    if (description === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`)
    this.identity.checkSendable(topic)
    const call: SendCall = { metadata: [], remaining: 0, failed: false, resolve: ignore, reject: ignore }
    const prepared = await this.#prepareAll(topic, description.partitionCount, records, call)
    await this.identity.beforeSend(
      topic,
      prepared.map((record) => record.partition),
    )
    if (prepared.length === 0) return []
    call.metadata = new Array<RecordMetadata>(prepared.length)
    call.remaining = prepared.length
    const sent = new Promise<RecordMetadata[]>((resolve, reject) => {
      call.resolve = resolve
      call.reject = reject
    })
    for (const record of prepared) {
      this.#pending.push(record)
      this.#pendingBytes += record.sizeBytes
    }
    this.#schedule()
    return sent
  }

  /** Sends every waiting record now and resolves when they are answered. */
  async flush(): Promise<void> {
    this.#flushNow()
    await this.#chain
  }

  /** Opens a transaction (a producer with a transactionalId); sends until commit or abort belong to it. */
  async beginTransaction(): Promise<void> {
    await this.flush()
    await this.identity.beginTransaction()
  }

  /**
   * Commits consumed offsets with the open transaction (consume-transform-produce, Kafka's
   * sendOffsetsToTransaction): the group's committed offsets move only if the transaction commits.
   * Give the in-process consumer (its group, generation and member id fence a consumer that lost its
   * partitions; the offsets default to what it handed out) or a group id for a commit from outside
   * the group. The consumer should have `autoCommit: false`.
   */
  async sendOffsets(
    input:
      | { consumer: OffsetsSource; offsets?: TopicPartitionOffset[] }
      | { groupId: string; offsets: TopicPartitionOffset[] },
  ): Promise<void> {
    await this.flush()
    if ('consumer' in input) {
      const group = input.consumer.groupMetadata()
      await this.identity.sendOffsets(group, input.offsets ?? input.consumer.consumedOffsets())
    } else {
      await this.identity.sendOffsets(
        { groupId: input.groupId, generationId: -1, memberId: '' },
        input.offsets,
      )
    }
  }

  /** Sends what waits, then commits: read_committed consumers see the transaction's records from now. */
  async commitTransaction(): Promise<void> {
    await this.flush()
    await this.identity.endTransaction(true)
  }

  /** Sends what waits, then aborts: read_committed consumers never see the transaction's records. */
  async abortTransaction(): Promise<void> {
    await this.flush()
    await this.identity.endTransaction(false)
  }

  /** Sends what waits and stops; an open transaction is aborted. */
  async close(): Promise<void> {
    if (this.#closed) return
    await this.flush()
    this.#closed = true
    await this.identity.close()
  }

  /** Every record checked, serialized and placed; without serializers nothing here awaits. */
  async #prepareAll(
    topic: string,
    partitionCount: number,
    records: ProducerRecord<K, V>[],
    call: SendCall,
  ): Promise<Pending[]> {
    const now = Date.now()
    const { keySerializer, valueSerializer } = this.#options
    if (keySerializer === undefined && valueSerializer === undefined) {
      const placed = new Array<Pending>(records.length)
      for (let index = 0; index < records.length; index++) {
        const record = recordAt(records[index], index)
        placed[index] = this.#place(topic, partitionCount, record, record.key, record.value, now, index, call)
      }
      return placed
    }
    return Promise.all(
      records.map(async (record, index) => {
        const checked = recordAt(record, index)
        const key =
          keySerializer === undefined
            ? checked.key
            : await keySerializer(checked.key as K, { topic, isKey: true })
        const value =
          valueSerializer === undefined
            ? checked.value
            : await valueSerializer(checked.value, { topic, isKey: false })
        return this.#place(topic, partitionCount, checked, key, value, now, index, call)
      }),
    )
  }

  #place(
    topic: string,
    partitionCount: number,
    record: ProducerRecord<K, V>,
    keyInput: unknown,
    valueInput: unknown,
    now: number,
    index: number,
    call: SendCall,
  ): Pending {
    const key = bytesOf(keyInput, 'key', index)
    const value = bytesOf(valueInput, 'value', index)
    const headers = headersOf(record.headers)
    const partition =
      partitionOf(record.partition, partitionCount, topic) ??
      // One partition: the built-in partitioners can only answer 0 (a function of the user's is asked).
      (partitionCount === 1 && this.#builtInPartitioner
        ? 0
        : this.#partitioner({ topic, partitionCount, key }))
    return {
      timestamp: timestampOf(record.timestamp, now),
      key,
      value,
      headers,
      partition,
      sizeBytes: estimatedSize(key, value, headers),
      topic,
      call,
      index,
    }
  }

  #schedule(): void {
    const lingerMs = this.#options.lingerMs ?? 0
    if (lingerMs <= 0 || this.#pendingBytes >= (this.#options.batchSize ?? defaultBatchSize)) {
      this.#flushNow()
      return
    }
    this.#lingerTimer ??= setTimeout(() => this.#flushNow(), lingerMs)
  }

  #flushNow(): void {
    if (this.#lingerTimer !== null) clearTimeout(this.#lingerTimer)
    this.#lingerTimer = null
    if (this.#pending.length === 0) return
    const taken = this.#pending
    this.#pending = []
    this.#pendingBytes = 0
    // Failures reach each record's own promise; the chain itself never rejects.
    this.#chain = this.#chain
      .then(() => this.#produce(taken))
      .catch((error: unknown) => {
        for (const record of taken) fail(record, error)
      })
  }

  /** One request per round; a round carries at most one batch per partition (Produce v3+). */
  async #produce(records: Pending[]): Promise<void> {
    const queues: PartitionQueue[] = []
    const byTopic = new Map<string, PartitionQueue[]>()
    const batchSize = this.#options.batchSize ?? defaultBatchSize
    // Records of one send share a topic and mostly a partition: the last queue is checked first.
    let queue: PartitionQueue | undefined
    for (const record of records) {
      if (queue === undefined || queue.topic !== record.topic || queue.partition !== record.partition) {
        const ofTopic = byTopic.get(record.topic) ?? []
        byTopic.set(record.topic, ofTopic)
        queue = ofTopic[record.partition]
        if (queue === undefined) {
          queue = { topic: record.topic, partition: record.partition, batches: [], lastBatchBytes: 0 }
          ofTopic[record.partition] = queue
          queues.push(queue)
        }
      }
      const last = queue.batches.at(-1)
      if (last === undefined || queue.lastBatchBytes + record.sizeBytes > batchSize) {
        queue.batches.push([record])
        queue.lastBatchBytes = record.sizeBytes
      } else {
        last.push(record)
        queue.lastBatchBytes += record.sizeBytes
      }
    }
    for (let round = 0; ; round += 1) {
      const batches = queues.map((each) => each.batches[round]).filter((batch) => batch !== undefined)
      if (batches.length === 0) return
      await this.#produceRound(batches)
    }
  }

  async #produceRound(batches: Pending[][]): Promise<void> {
    const built = await Promise.all(
      batches.map(async (batch) => {
        const { topic, partition } = batch[0]
        const sequence = this.identity.sequenceFields(topic, partition)
        // Built for this request alone: the log may keep it without a copy.
        const bytes = handOver(await buildBatch({ records: batch, compression: this.#codec, ...sequence }))
        return { topic, partition, batch, bytes }
      }),
    )
    const byTopic = new Map<string, { index: number; records: Buffer }[]>()
    for (const entry of built) {
      const list = byTopic.get(entry.topic) ?? []
      list.push({ index: entry.partition, records: entry.bytes })
      byTopic.set(entry.topic, list)
    }
    const acks = this.#options.acks ?? -1
    const response = await this.#calls.callOrNull(ApiKey.Produce, {
      transactionalId: this.identity.transactionalId,
      acks,
      timeoutMs: 30_000,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    })
    for (const entry of built) {
      const answer = response?.responses
        .find((topic) => topic.name === entry.topic)
        ?.partitionResponses.find((partition) => partition.index === entry.partition)
      if (response !== null && answer === undefined) {
        rejectAll(entry.batch, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'no answer for the partition'))
        continue
      }
      if (answer !== undefined && answer.errorCode !== ErrorCode.NONE) {
        const detail =
          answer.errorMessage ?? answer.recordErrors.map((e) => e.batchIndexErrorMessage).join('; ')
        rejectAll(
          entry.batch,
          new KafkaError(answer.errorCode, `${entry.topic}-${entry.partition}: ${detail}`),
        )
        continue
      }
      this.identity.advanceSequence(entry.topic, entry.partition, entry.batch.length)
      const baseOffset = answer === undefined ? -1 : Number(answer.baseOffset)
      const appendTime = answer === undefined ? -1 : Number(answer.logAppendTimeMs)
      entry.batch.forEach((record, index) => {
        settle(record, {
          topic: entry.topic,
          partition: entry.partition,
          offset: baseOffset < 0 ? -1 : baseOffset + index,
          timestamp: appendTime >= 0 ? appendTime : record.timestamp,
        })
      })
    }
  }
}

/** The batches of one topic-partition in a flush, in order. */
interface PartitionQueue {
  topic: string
  partition: number
  batches: Pending[][]
  lastBatchBytes: number
}

function rejectAll(batch: Pending[], error: KafkaError): void {
  for (const record of batch) fail(record, error)
}

/** records[index] when it is an object (JavaScript callers get no compile-time check). */
function recordAt<T>(record: T, index: number): T {
  if (typeof record !== 'object' || record === null)
    throw new EncodeError(`records[${index}] must be an object with a value`)
  return record
}
