// An internal compacted topic a coordinator keeps its state in (`__consumer_offsets`,
// `__transaction_state`): created on its first write, as Kafka does; a key (group id, transactional
// id) always maps to the same partition (Kafka's Utils.abs(hashCode) % partitions); writes are
// durable appends of one batch; on start every partition is read from its start and replayed.

import type { BatchHeader } from '../protocol/records/batch-header.ts'
import { buildBatch, decodeBatches } from '../protocol/records/batch-v2.ts'
import { buildEndTransactionMarkerBatch, ControlRecordType } from '../protocol/records/control-record.ts'
import type { KafkaRecord } from '../protocol/records/record.ts'
import type { LogManager, PartitionLog } from '../storage/types.ts'
import type { StateTopicSpec } from './state-topics.ts'

/** Bytes read per step while replaying a topic on start. */
const replayReadBytes = 1024 * 1024

/** A COMMIT or ABORT marker batch of a producer (coordinator epoch 0: one coordinator ever). */
export function markerBatch(
  producer: TransactionalWrite,
  commit: boolean,
  timestampMs: number,
): Promise<Buffer> {
  const marker = { type: commit ? ControlRecordType.commit : ControlRecordType.abort, coordinatorEpoch: 0 }
  return buildEndTransactionMarkerBatch({ marker, ...producer, timestamp: timestampMs })
}

/** Java's String.hashCode. */
function javaStringHash(text: string): number {
  let hash = 0
  for (let index = 0; index < text.length; index++) hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0
  return hash
}

/** The partition holding `key` (Kafka's Utils.abs(key.hashCode) % partitionCount). */
export function internalPartitionFor(key: string, partitionCount: number): number {
  const hash = javaStringHash(key)
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitionCount
}

export interface TransactionalWrite {
  producerId: bigint
  producerEpoch: number
}

export class InternalTopicLog {
  readonly logs: LogManager
  /** How the topic is created (state-topics.ts: the same spec Metadata and CreateTopics use). */
  readonly spec: StateTopicSpec
  private creating: Promise<void> | null = null

  constructor(logs: LogManager, spec: StateTopicSpec) {
    this.logs = logs
    this.spec = spec
  }

  get name(): string {
    return this.spec.name
  }

  /** Creates the topic unless it exists (also before a transaction names one of its partitions).
   * Another path (a Metadata request) may create it meanwhile: then the existing topic is used. */
  ensureTopic(): Promise<void> {
    if (this.logs.getTopic(this.name) !== undefined) return Promise.resolve()
    this.creating ??= this.logs
      .createTopic(this.name, {
        partitionCount: this.spec.partitionCount,
        configOverrides: this.spec.configs,
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.creating = null
          if (this.logs.getTopic(this.name) === undefined) throw error
        },
      )
    return this.creating
  }

  /** The partition index of `key`: by the topic's actual partition count once it exists (as Kafka's
   * partitionFor), whatever the spec says, so a topic created with another count keeps working. */
  partitionIndexOf(key: string): number {
    return internalPartitionFor(
      key,
      this.logs.getTopic(this.name)?.partitionCount ?? this.spec.partitionCount,
    )
  }

  private partitionOf(key: string): PartitionLog {
    const log = this.logs.partition(this.name, this.partitionIndexOf(key))
    if (log === undefined) throw new Error(`${this.name} lacks the partition of ${key}`)
    return log
  }

  /** Appends records for `key` as one batch, durably; a transactional write carries the producer. */
  async append(
    key: string,
    records: { key: Buffer; value: Buffer | null }[],
    timestampMs: number,
    transactional?: TransactionalWrite,
  ): Promise<void> {
    if (records.length === 0) return
    await this.ensureTopic()
    const batch = await buildBatch({
      records: records.map((record) => ({ ...record, timestamp: timestampMs })),
      ...(transactional === undefined ? {} : { ...transactional, isTransactional: true }),
    })
    await this.partitionOf(key).append(batch, { durable: true, origin: 'coordinator' })
  }

  /** Writes a COMMIT or ABORT marker for a producer into partition `partitionIndex`. */
  async appendMarker(
    partitionIndex: number,
    producer: TransactionalWrite,
    commit: boolean,
    timestampMs: number,
  ): Promise<void> {
    await this.ensureTopic()
    const log = this.logs.partition(this.name, partitionIndex)
    if (log === undefined) throw new Error(`${this.name} has no partition ${partitionIndex}`)
    await log.append(await markerBatch(producer, commit, timestampMs), {
      durable: true,
      origin: 'coordinator',
    })
  }

  /** Calls `replay` with every record of every partition (control records included), in offset order. */
  async load(replay: (record: KafkaRecord, header: BatchHeader) => void): Promise<number> {
    const topic = this.logs.getTopic(this.name)
    if (topic === undefined) return 0
    let count = 0
    for (let partition = 0; partition < topic.partitionCount; partition++) {
      const log = this.logs.partition(this.name, partition)
      if (log === undefined) continue
      let offset = log.logStartOffset
      while (offset < log.highWatermark) {
        const { records } = await log.read(offset, replayReadBytes)
        if (records.length === 0) break
        for (const batch of await decodeBatches(records)) {
          for (const record of batch.records) {
            if (record.offset < offset) continue
            replay(record, batch.header)
            count++
          }
          offset = Math.max(offset, batch.header.baseOffset + batch.header.lastOffsetDelta + 1)
        }
      }
    }
    return count
  }
}
