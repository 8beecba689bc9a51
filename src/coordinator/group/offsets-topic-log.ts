// Where the group coordinator keeps its state: the compacted internal topic `__consumer_offsets`
// (`offsets.topic.num.partitions`, Kafka default 50). Writes are durable appends (acks=all) of one
// batch; on start every partition is read from its start and replayed.

import { buildBatch, decodeBatches } from '../../protocol/records/batch-v2.ts'
import type { LogManager, PartitionLog } from '../../storage/types.ts'
import {
  decodeOffsetsTopicRecord,
  type OffsetsTopicRecord,
  offsetsTopicPartitionFor,
} from './offsets-topic-records.ts'

export const offsetsTopicName = '__consumer_offsets'
/** Bytes read per step while replaying the topic on start. */
const replayReadBytes = 1024 * 1024

export interface OffsetsTopicOptions {
  /** `offsets.topic.num.partitions` (Kafka default 50). */
  partitionCount: number
  /** `offsets.topic.segment.bytes` (Kafka default 100 MiB). */
  segmentBytes: number
}

export const defaultOffsetsTopicOptions: OffsetsTopicOptions = {
  partitionCount: 50,
  segmentBytes: 100 * 1024 * 1024,
}

export class OffsetsTopicLog {
  private readonly logs: LogManager
  private readonly options: OffsetsTopicOptions
  private creating: Promise<void> | null = null

  constructor(logs: LogManager, options: OffsetsTopicOptions = defaultOffsetsTopicOptions) {
    this.logs = logs
    this.options = options
  }

  /** Creates the topic on its first write, as Kafka does (a fresh broker lists no topics); afterwards
   * the partition count it was created with stays. */
  private ensureTopic(): Promise<void> {
    if (this.logs.getTopic(offsetsTopicName) !== undefined) return Promise.resolve()
    this.creating ??= this.logs
      .createTopic(offsetsTopicName, {
        partitionCount: this.options.partitionCount,
        configOverrides: { 'cleanup.policy': 'compact', 'segment.bytes': String(this.options.segmentBytes) },
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.creating = null
          throw error
        },
      )
    return this.creating
  }

  private partitionOf(groupId: string): PartitionLog {
    const topic = this.logs.getTopic(offsetsTopicName)
    if (topic === undefined) throw new Error(`${offsetsTopicName} does not exist`)
    const log = this.logs.partition(offsetsTopicName, offsetsTopicPartitionFor(groupId, topic.partitionCount))
    if (log === undefined) throw new Error(`${offsetsTopicName} lacks the partition of group ${groupId}`)
    return log
  }

  /** Appends records of one group as one batch, durably. Throws KafkaError / StorageError. */
  async append(
    groupId: string,
    records: { key: Buffer; value: Buffer | null }[],
    timestampMs: number,
  ): Promise<void> {
    if (records.length === 0) return
    await this.ensureTopic()
    const batch = await buildBatch({
      records: records.map((record) => ({ ...record, timestamp: timestampMs })),
    })
    await this.partitionOf(groupId).append(batch, { durable: true })
  }

  /** Calls `replay` with every record of every partition, oldest first within a partition. */
  async load(replay: (record: OffsetsTopicRecord) => void): Promise<number> {
    const topic = this.logs.getTopic(offsetsTopicName)
    if (topic === undefined) return 0
    let count = 0
    for (let partition = 0; partition < topic.partitionCount; partition++) {
      const log = this.logs.partition(offsetsTopicName, partition)
      if (log === undefined) continue
      let offset = log.logStartOffset
      while (offset < log.highWatermark) {
        const { records } = await log.read(offset, replayReadBytes)
        if (records.length === 0) break
        for (const batch of await decodeBatches(records)) {
          for (const record of batch.records) {
            if (record.offset < offset || record.key === null) continue
            const decoded = decodeOffsetsTopicRecord(record.key, record.value)
            if (decoded !== null) replay(decoded)
            count++
          }
          offset = Math.max(offset, batch.header.baseOffset + batch.header.lastOffsetDelta + 1)
        }
      }
    }
    return count
  }
}
