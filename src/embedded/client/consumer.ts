// The in-process consumer: Fetch through the broker's own handler (long poll woken by appends,
// read_committed's last stable offset and aborted transactions), records decoded from the stored
// batches, offsets committed to the group coordinator. With a groupId it is a classic-protocol group
// member like any network consumer (group-member.ts). Buffering is bounded: the fetch loop stops
// fetching while `maxBufferedBytes` of records wait to be read, so a slow reader holds memory flat.

import type { InProcessPartitionData } from '../../broker/handlers/fetch.ts'
import { KafkaError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { BrokerCalls } from './broker-calls.ts'
import type { ConsumerOptions } from './consumer-options.ts'
import { decodeFetchedPartition } from './fetched-records.ts'
import type { GroupMemberHooks, Membership } from './group-member.ts'
import { createMembership } from './membership.ts'
import {
  type CommitIdentity,
  commitOffsets,
  earliestTimestamp,
  fetchCommitted,
  latestTimestamp,
  listOffsets,
  type OffsetsSource,
} from './offsets.ts'
import { Signal } from './signal.ts'
import type { ConsumedBatch, ConsumedRecord, TopicPartition, TopicPartitionOffset } from './types.ts'

const idOf = (topic: string, partition: number): string => `${partition}:${topic}`

export class InProcessConsumer<K = Buffer | null, V = Buffer | null>
  implements AsyncIterable<ConsumedRecord<K, V>>, OffsetsSource
{
  readonly #calls: BrokerCalls
  readonly #options: ConsumerOptions<K, V>
  readonly #group: Membership | null
  #subscription: string[] | RegExp | null = null
  #assigned: TopicPartition[] = []
  readonly #positions = new Map<string, number>()
  readonly #consumed = new Map<string, number>()
  readonly #paused = new Set<string>()
  /** Bumped by seek and revoke, so records fetched before are not handed out after. */
  readonly #epochs = new Map<string, number>()
  #buffer: { batch: ConsumedBatch<K, V>; sizeBytes: number }[] = []
  #bufferedBytes = 0
  readonly #dataReady = new Signal()
  readonly #loopWake = new Signal()
  #loop: Promise<void> | null = null
  #autoCommitTimer: NodeJS.Timeout | null = null
  #failure: unknown = null
  #closed = false

  constructor(calls: BrokerCalls, options: ConsumerOptions<K, V> = {}) {
    this.#calls = calls
    this.#options = options
    const hooks: GroupMemberHooks = {
      topics: () => this.#subscribedTopics(),
      owned: () => this.#assigned,
      revoke: (partitions) => this.#revoke(partitions, true),
      lose: (partitions) => this.#revoke(partitions, false),
      assign: (partitions) => this.#assign(partitions),
      fail: (error) => this.#fail(error),
    }
    this.#group =
      options.groupId === undefined ? null : createMembership(calls, options, options.groupId, hooks)
  }

  /** Subscribes to topics (names or a pattern matched against the topics that exist now) and starts fetching. */
  async subscribe(topics: string | string[] | RegExp): Promise<void> {
    if (this.#subscription !== null)
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'the consumer is already subscribed')
    this.#subscription = typeof topics === 'string' ? [topics] : topics
    if (Array.isArray(this.#subscription)) {
      const missing = this.#subscription.find(
        (topic) => this.#calls.services.logs.getTopic(topic) === undefined,
      )
      if (missing !== undefined)
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${missing} does not exist`)
    }
    if (this.#group !== null) {
      await this.#group.start()
      this.#startAutoCommit()
    } else {
      const logs = this.#calls.services.logs
      await this.#assign(
        this.#subscribedTopics().flatMap((topic) =>
          Array.from({ length: logs.getTopic(topic)?.partitionCount ?? 0 }, (_, partition) => ({
            topic,
            partition,
          })),
        ),
      )
    }
    this.#loop ??= this.#fetchLoop()
  }

  /** The partitions this consumer reads now. */
  assignment(): TopicPartition[] {
    return this.#assigned.map((entry) => ({ ...entry }))
  }

  /** Every record in order per partition; ends when the consumer closes (records still buffered are dropped). */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumedRecord<K, V>> {
    for await (const batch of this.#takenBatches()) {
      const id = idOf(batch.topic, batch.partition)
      const epoch = this.#epochs.get(id)
      for (const record of batch.records) {
        if (this.#closed) return
        // A seek or a rebalance while this batch was being handed out: the rest of it is stale.
        if (this.#epochs.get(id) !== epoch) break
        // Handed out: a commit from now on includes it.
        this.#consumed.set(idOf(record.topic, record.partition), record.offset + 1)
        yield record
      }
    }
  }

  /** Records a batch (of one partition) at a time; a batch counts as consumed once handed out. */
  async *batches(): AsyncGenerator<ConsumedBatch<K, V>> {
    for await (const batch of this.#takenBatches()) {
      const last = batch.records.at(-1)
      if (last !== undefined) this.#consumed.set(idOf(batch.topic, batch.partition), last.offset + 1)
      yield batch
    }
  }

  async *#takenBatches(): AsyncGenerator<ConsumedBatch<K, V>> {
    while (!this.#closed) {
      const batch = this.#takeBatch()
      if (batch !== null) {
        yield batch
        continue
      }
      if (this.#failure !== null) throw this.#failure
      await this.#dataReady.wait(1000)
    }
  }

  /** Commits the offsets after the records handed out (or the given ones) to the group. */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    await commitOffsets(this.#calls, this.groupMetadata(), offsets ?? this.consumedOffsets())
  }

  /** The offset after the last record handed out, per partition (what `commit()` commits). */
  consumedOffsets(): TopicPartitionOffset[] {
    return [...this.#consumed].map(([id, offset]) => {
      const colon = id.indexOf(':')
      return { topic: id.slice(colon + 1), partition: Number(id.slice(0, colon)), offset }
    })
  }

  /** The group, generation and member id (Kafka's ConsumerGroupMetadata; `producer.sendOffsets` uses it). */
  groupMetadata(): CommitIdentity {
    if (this.#group === null)
      throw new KafkaError(ErrorCode.INVALID_GROUP_ID, 'offsets are committed by a consumer with a groupId')
    return {
      groupId: this.#options.groupId ?? '',
      generationId: this.#group.generationId,
      memberId: this.#group.memberId,
      groupInstanceId: this.#options.groupInstanceId ?? null,
    }
  }

  /** Reads `topic-partition` from `offset` next; records buffered from before are dropped. */
  seek(topic: string, partition: number, offset: number): void {
    const id = idOf(topic, partition)
    if (!this.#positions.has(id))
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} is not assigned`)
    this.#dropBuffered((batch) => batch.topic === topic && batch.partition === partition)
    this.#epochs.set(id, (this.#epochs.get(id) ?? 0) + 1)
    this.#positions.set(id, offset)
    this.#consumed.set(id, offset)
    this.#loopWake.notify()
  }

  /** Stops fetching (and handing out) these partitions until `resume`. */
  pause(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.#paused.add(idOf(topic, partition))
  }

  resume(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.#paused.delete(idOf(topic, partition))
    this.#loopWake.notify()
    this.#dataReady.notify()
  }

  /** Bytes of records fetched and not yet handed out (bounded by maxBufferedBytes plus one fetch). */
  get bufferedBytes(): number {
    return this.#bufferedBytes
  }

  /** Commits (auto-commit), leaves the group (its partitions go to the other members) and stops. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#autoCommitTimer !== null) clearInterval(this.#autoCommitTimer)
    this.#loopWake.notify()
    this.#dataReady.notify()
    await this.#loop
    if (this.#group !== null) {
      if (this.#autoCommits()) await this.commit().catch(() => undefined)
      await this.#group.leave()
    }
  }

  #autoCommits(): boolean {
    return this.#group !== null && this.#options.autoCommit !== false
  }

  #startAutoCommit(): void {
    if (!this.#autoCommits()) return
    this.#autoCommitTimer = setInterval(() => {
      this.commit().catch(() => undefined) // a commit during a rebalance is repeated by the revoke
    }, this.#options.autoCommitIntervalMs ?? 5000)
    this.#autoCommitTimer.unref()
  }

  #subscribedTopics(): string[] {
    const subscription = this.#subscription
    if (subscription === null) return []
    if (Array.isArray(subscription)) return subscription
    return this.#calls.services.logs
      .listTopics()
      .map((topic) => topic.name)
      .filter((name) => !name.startsWith('__') && subscription.test(name))
      .sort()
  }

  /** Stops using `partitions` (nothing of them is handed out from here on), then commits what was
   * consumed of them (`commit`: revoked, not lost) and tells the listener. */
  async #revoke(partitions: TopicPartition[], commit: boolean): Promise<void> {
    if (partitions.length === 0) return
    const ids = new Set(partitions.map(({ topic, partition }) => idOf(topic, partition)))
    this.#assigned = this.#assigned.filter(({ topic, partition }) => !ids.has(idOf(topic, partition)))
    this.#dropBuffered((batch) => ids.has(idOf(batch.topic, batch.partition)))
    const consumed: TopicPartitionOffset[] = []
    for (const id of ids) {
      this.#epochs.set(id, (this.#epochs.get(id) ?? 0) + 1)
      this.#positions.delete(id)
      const offset = this.#consumed.get(id)
      this.#consumed.delete(id)
      if (offset === undefined) continue
      const colon = id.indexOf(':')
      consumed.push({ topic: id.slice(colon + 1), partition: Number(id.slice(0, colon)), offset })
    }
    if (commit && this.#autoCommits()) await this.commit(consumed).catch(() => undefined)
    const listener = this.#options.rebalanceListener
    await (commit ? listener?.onPartitionsRevoked?.(partitions) : listener?.onPartitionsLost?.(partitions))
  }

  /** Adds `partitions` (from their committed offsets, else `fromBeginning`'s end) and starts fetching them. */
  async #assign(partitions: TopicPartition[]): Promise<void> {
    const committed =
      this.#group === null ? [] : await fetchCommitted(this.#calls, this.#options.groupId ?? '', partitions)
    const missing = partitions.filter(
      ({ topic, partition }) =>
        (committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1) < 0,
    )
    const reset = await listOffsets(
      this.#calls,
      missing,
      this.#options.fromBeginning === true ? earliestTimestamp : latestTimestamp,
    )
    for (const { topic, partition, offset } of [...committed.filter((c) => c.offset >= 0), ...reset]) {
      this.#positions.set(idOf(topic, partition), offset)
    }
    this.#assigned = [...this.#assigned, ...partitions]
    await this.#options.rebalanceListener?.onPartitionsAssigned?.(partitions)
    this.#loopWake.notify()
  }

  #fail(error: unknown): void {
    this.#failure ??= error
    this.#dataReady.notify()
  }

  #takeBatch(): ConsumedBatch<K, V> | null {
    const index = this.#buffer.findIndex(({ batch }) => !this.#paused.has(idOf(batch.topic, batch.partition)))
    if (index < 0) return null
    const [{ batch, sizeBytes }] = this.#buffer.splice(index, 1)
    this.#bufferedBytes -= sizeBytes
    this.#loopWake.notify()
    return batch
  }

  #dropBuffered(matches: (batch: ConsumedBatch<K, V>) => boolean): void {
    const kept = this.#buffer.filter(({ batch }) => !matches(batch))
    this.#bufferedBytes = kept.reduce((sum, entry) => sum + entry.sizeBytes, 0)
    this.#buffer = kept
  }

  async #fetchLoop(): Promise<void> {
    const maxBuffered = this.#options.maxBufferedBytes ?? 8 * 1024 * 1024
    const maxWaitMs = this.#options.maxWaitMs ?? 200
    while (!this.#closed) {
      const targets = this.#assigned.filter(({ topic, partition }) => {
        const id = idOf(topic, partition)
        return !this.#paused.has(id) && this.#positions.has(id)
      })
      if (this.#bufferedBytes >= maxBuffered || targets.length === 0) {
        await this.#loopWake.wait(maxWaitMs)
        continue
      }
      try {
        await this.#fetchOnce(targets, maxWaitMs)
      } catch (error) {
        this.#fail(error)
        return
      }
    }
  }

  async #fetchOnce(targets: TopicPartition[], maxWaitMs: number): Promise<void> {
    const requested = new Map(
      targets.map(({ topic, partition }) => [
        idOf(topic, partition),
        this.#positions.get(idOf(topic, partition)) ?? 0,
      ]),
    )
    const byTopic = new Map<string, number[]>()
    for (const { topic, partition } of targets) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
    const maxBytes = this.#options.maxBytes ?? 1024 * 1024
    const response = await this.#calls.call(ApiKey.Fetch, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs,
      minBytes: 1,
      maxBytes,
      isolationLevel: this.#options.isolationLevel === 'read_committed' ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({
        topic,
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(requested.get(idOf(topic, partition)) ?? 0),
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: maxBytes,
          replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    })
    if (response.errorCode !== 0) throw new KafkaError(response.errorCode, 'Fetch')
    for (const topic of response.responses) {
      for (const data of topic.partitions as InProcessPartitionData[]) {
        const id = idOf(topic.topic, data.partitionIndex)
        const fetchOffset = requested.get(id)
        // A seek, a rebalance or close while the fetch was out: its result is stale.
        if (this.#closed || fetchOffset === undefined || this.#positions.get(id) !== fetchOffset) continue
        if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const timestamp = this.#options.fromBeginning === true ? earliestTimestamp : latestTimestamp
          const [reset] = await listOffsets(
            this.#calls,
            [{ topic: topic.topic, partition: data.partitionIndex }],
            timestamp,
          )
          if (reset !== undefined) this.#positions.set(id, reset.offset)
          continue
        }
        if (data.errorCode !== 0)
          throw new KafkaError(data.errorCode, `Fetch ${topic.topic}-${data.partitionIndex}`)
        const decoded = await decodeFetchedPartition({
          topic: topic.topic,
          partition: data.partitionIndex,
          fetchOffset,
          records: data.records,
          ...(data.recordBatches === undefined ? {} : { recordBatches: data.recordBatches }),
          abortedTransactions: data.abortedTransactions,
        })
        if (this.#positions.get(id) !== fetchOffset) continue
        this.#positions.set(id, decoded.nextOffset)
        if (decoded.records.length === 0) continue
        const records = await this.#deserialized(decoded.records)
        const { sizeBytes } = decoded
        const batch = {
          topic: topic.topic,
          partition: data.partitionIndex,
          records,
          highWatermark: Number(data.highWatermark),
        }
        this.#buffer.push({ batch, sizeBytes })
        this.#bufferedBytes += sizeBytes
      }
    }
    this.#dataReady.notify()
  }

  /** The records with their keys and values deserialized (as they are without deserializers). */
  async #deserialized(records: ConsumedRecord[]): Promise<ConsumedRecord<K, V>[]> {
    const { keyDeserializer, valueDeserializer } = this.#options
    // Without deserializers K and V are the stored Buffer | null (the consumer's type defaults).
    if (keyDeserializer === undefined && valueDeserializer === undefined)
      return records as ConsumedRecord<K, V>[]
    return Promise.all(records.map((record) => this.#deserialize(record)))
  }

  async #deserialize(record: ConsumedRecord): Promise<ConsumedRecord<K, V>> {
    const { keyDeserializer, valueDeserializer } = this.#options
    const key =
      keyDeserializer === undefined
        ? record.key
        : await keyDeserializer(record.key, { topic: record.topic, isKey: true })
    const value =
      valueDeserializer === undefined
        ? record.value
        : await valueDeserializer(record.value, { topic: record.topic, isKey: false })
    return { ...record, key: key as K, value: value as V }
  }
}
