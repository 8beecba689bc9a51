// An in-process producer's identity as the broker sees it: the producer id and epoch (InitProducerId),
// per-partition sequence numbers for idempotence, and the transaction state (AddPartitionsToTxn,
// EndTxn). The same handlers a network producer calls, so the log refuses duplicates and
// read_committed consumers, network ones included, see transactional records only after the commit.

import { setTimeout as sleep } from 'node:timers/promises'
import { KafkaError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { BrokerCalls } from './broker-calls.ts'
import { type CommitIdentity, groupByTopic } from './offsets.ts'
import type { TopicPartitionOffset } from './types.ts'

export interface ProducerIdentityOptions {
  idempotent: boolean
  transactionalId: string | null
  transactionTimeoutMs: number
}

/** Retriable answers of the transaction coordinator (a previous transaction still completing). */
const retriable = new Set<number>([ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS])
const retryDelayMs = 20
const retriesMax = 500

export interface SequenceFields {
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
}

export class ProducerIdentity {
  readonly transactionalId: string | null
  readonly #calls: BrokerCalls
  readonly #options: ProducerIdentityOptions
  #producerId = -1n
  #producerEpoch = -1
  #initialized: Promise<void> | null = null
  readonly #sequences = new Map<string, number>()
  #inTransaction = false
  readonly #partitionsInTransaction = new Set<string>()
  /** Groups whose offsets the open transaction commits (AddOffsetsToTxn sent). */
  readonly #groupsInTransaction = new Set<string>()

  constructor(calls: BrokerCalls, options: ProducerIdentityOptions) {
    this.#calls = calls
    this.#options = options
    this.transactionalId = options.transactionalId
  }

  get producerId(): bigint {
    return this.#producerId
  }

  /** A transactional producer sends only inside a transaction (as Kafka's producers). */
  checkSendable(topic: string): void {
    if (this.transactionalId !== null && !this.#inTransaction)
      throw new KafkaError(
        ErrorCode.INVALID_TXN_STATE,
        `send to ${topic} outside a transaction: call beginTransaction() first`,
      )
  }

  /** Gets a producer id on first use and adds new partitions to the open transaction. */
  async beforeSend(topic: string, partitions: number[]): Promise<void> {
    if (!this.#options.idempotent) return
    await this.init()
    if (!this.#inTransaction || this.transactionalId === null) return
    const added = [...new Set(partitions)].filter(
      (partition) => !this.#partitionsInTransaction.has(`${partition}:${topic}`),
    )
    if (added.length === 0) return
    const response = await this.#retrying(
      () =>
        this.#calls.call(ApiKey.AddPartitionsToTxn, {
          transactions: [],
          v3AndBelowTransactionalId: this.transactionalId ?? '',
          v3AndBelowProducerId: this.#producerId,
          v3AndBelowProducerEpoch: this.#producerEpoch,
          v3AndBelowTopics: [{ name: topic, partitions: added }],
        }),
      (answer) =>
        answer.resultsByTopicV3AndBelow
          .flatMap((t) => t.resultsByPartition)
          .find((p) => p.partitionErrorCode !== 0)?.partitionErrorCode ?? answer.errorCode,
    )
    const failed = response.resultsByTopicV3AndBelow
      .flatMap((t) => t.resultsByPartition)
      .find((p) => p.partitionErrorCode !== 0)
    if (failed !== undefined)
      throw new KafkaError(
        failed.partitionErrorCode,
        `adding ${topic}-${failed.partitionIndex} to the transaction`,
      )
    for (const partition of added) this.#partitionsInTransaction.add(`${partition}:${topic}`)
  }

  /** InitProducerId once (a transactional id fences its previous producers and ends their transaction). */
  init(): Promise<void> {
    this.#initialized ??= this.#initProducerId().catch((error: unknown) => {
      this.#initialized = null
      throw error
    })
    return this.#initialized
  }

  sequenceFields(topic: string, partition: number): SequenceFields {
    if (!this.#options.idempotent) return {}
    return {
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      baseSequence: this.#sequences.get(`${partition}:${topic}`) ?? 0,
      isTransactional: this.#inTransaction,
    }
  }

  /** After an acknowledged batch: the next batch's base sequence (int32, wrapping as Kafka's). */
  advanceSequence(topic: string, partition: number, recordCount: number): void {
    if (!this.#options.idempotent) return
    const id = `${partition}:${topic}`
    this.#sequences.set(id, ((this.#sequences.get(id) ?? 0) + recordCount) % 0x80000000)
  }

  async beginTransaction(): Promise<void> {
    if (this.transactionalId === null)
      throw new KafkaError(
        ErrorCode.INVALID_TXN_STATE,
        'beginTransaction needs a producer with a transactionalId',
      )
    if (this.#inTransaction)
      throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'a transaction is already open')
    await this.init()
    this.#inTransaction = true
    this.#partitionsInTransaction.clear()
    this.#groupsInTransaction.clear()
  }

  /**
   * Consumed offsets committed with the open transaction (AddOffsetsToTxn, then TxnOffsetCommit with
   * the member's generation and id, KIP-447): the group sees them only if the transaction commits.
   */
  async sendOffsets(group: CommitIdentity, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!this.#inTransaction || this.transactionalId === null)
      throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'sendOffsets needs an open transaction')
    const transactionalId = this.transactionalId
    if (!this.#groupsInTransaction.has(group.groupId)) {
      const added = await this.#retrying(
        () =>
          this.#calls.call(ApiKey.AddOffsetsToTxn, {
            transactionalId,
            producerId: this.#producerId,
            producerEpoch: this.#producerEpoch,
            groupId: group.groupId,
          }),
        (answer) => answer.errorCode,
      )
      if (added.errorCode !== 0) throw new KafkaError(added.errorCode, `AddOffsetsToTxn ${group.groupId}`)
      this.#groupsInTransaction.add(group.groupId)
    }
    if (offsets.length === 0) return
    const committed = await this.#retrying(
      () =>
        this.#calls.call(ApiKey.TxnOffsetCommit, {
          transactionalId,
          groupId: group.groupId,
          producerId: this.#producerId,
          producerEpoch: this.#producerEpoch,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId ?? null,
          topics: [...groupByTopic([...offsets])].map(([name, list]) => ({
            name,
            partitions: list.map(({ partition, offset }) => ({
              partitionIndex: partition,
              committedOffset: BigInt(offset),
              committedLeaderEpoch: -1,
              committedMetadata: null,
            })),
          })),
        }),
      (answer) =>
        answer.topics.flatMap((topic) => topic.partitions).find((p) => p.errorCode !== 0)?.errorCode ?? 0,
    )
    for (const topic of committed.topics)
      for (const answer of topic.partitions)
        if (answer.errorCode !== 0)
          throw new KafkaError(
            answer.errorCode,
            `TxnOffsetCommit ${group.groupId} ${topic.name}-${answer.partitionIndex}`,
          )
  }

  /** EndTxn: commit or abort. A transaction that touched no partition ends without a request (as Kafka's producer). */
  async endTransaction(committed: boolean): Promise<void> {
    if (!this.#inTransaction) throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'no transaction is open')
    try {
      if (this.#partitionsInTransaction.size === 0 && this.#groupsInTransaction.size === 0) return
      const response = await this.#retrying(
        () =>
          this.#calls.call(ApiKey.EndTxn, {
            transactionalId: this.transactionalId ?? '',
            producerId: this.#producerId,
            producerEpoch: this.#producerEpoch,
            committed,
          }),
        (answer) => answer.errorCode,
      )
      if (response.errorCode !== 0)
        throw new KafkaError(
          response.errorCode,
          `${committed ? 'commit' : 'abort'} of ${this.transactionalId}`,
        )
    } finally {
      this.#inTransaction = false
      this.#partitionsInTransaction.clear()
      this.#groupsInTransaction.clear()
    }
  }

  async close(): Promise<void> {
    if (this.#inTransaction) await this.endTransaction(false)
  }

  async #initProducerId(): Promise<void> {
    const response = await this.#retrying(
      () =>
        this.#calls.call(ApiKey.InitProducerId, {
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.#options.transactionTimeoutMs,
          producerId: -1n,
          producerEpoch: -1,
        }),
      (answer) => answer.errorCode,
    )
    if (response.errorCode !== 0) throw new KafkaError(response.errorCode, 'InitProducerId')
    this.#producerId = response.producerId
    this.#producerEpoch = response.producerEpoch
    this.#sequences.clear()
  }

  async #retrying<T>(call: () => Promise<T>, errorOf: (answer: T) => number): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await call()
      if (!retriable.has(errorOf(answer)) || attempt >= retriesMax) return answer
      await sleep(retryDelayMs)
    }
  }
}
