// Where the group coordinator keeps its state: the compacted internal topic `__consumer_offsets`
// (`offsets.topic.num.partitions`, Kafka default 50). Offset commits of a transaction
// (TxnOffsetCommit) are written as a transactional batch and count only once the transaction's
// COMMIT marker follows; on load they are held back until then, and dropped on ABORT.

import { ControlRecordType, decodeControlRecordKey } from '../../protocol/records/control-record.ts'
import type { LogManager } from '../../storage/types.ts'
import { InternalTopicLog, type TransactionalWrite } from '../internal-topic-log.ts'
import { defaultInternalTopicSettings, offsetsTopicName, offsetsTopicSpec } from '../state-topics.ts'
import { decodeOffsetsTopicRecord, type OffsetsTopicRecord } from './offsets-topic-records.ts'

export { offsetsTopicName }

export interface OffsetsTopicOptions {
  /** `offsets.topic.num.partitions` (Kafka default 50). */
  partitionCount: number
  /** `offsets.topic.segment.bytes` (Kafka default 100 MiB). */
  segmentBytes: number
}

export const defaultOffsetsTopicOptions: OffsetsTopicOptions = {
  partitionCount: defaultInternalTopicSettings.offsetsTopicPartitions,
  segmentBytes: defaultInternalTopicSettings.offsetsTopicSegmentBytes,
}

/** What loading found: records of transactions still open at the end of the log, by producer. */
export interface OffsetsTopicLoad {
  records: number
  openTransactions: Map<bigint, OffsetsTopicRecord[]>
}

export class OffsetsTopicLog {
  readonly topic: InternalTopicLog

  constructor(logs: LogManager, options: OffsetsTopicOptions = defaultOffsetsTopicOptions) {
    this.topic = new InternalTopicLog(logs, offsetsTopicSpec(options.partitionCount, options.segmentBytes))
  }

  /** Appends records of one group as one batch, durably (transactional when a producer is given). */
  append(
    groupId: string,
    records: { key: Buffer; value: Buffer | null }[],
    timestampMs: number,
    transactional?: TransactionalWrite,
  ): Promise<void> {
    return this.topic.append(groupId, records, timestampMs, transactional)
  }

  /** The COMMIT/ABORT marker of a transaction in partition `partitionIndex`. */
  appendMarker(
    partitionIndex: number,
    producer: TransactionalWrite,
    commit: boolean,
    timestampMs: number,
  ): Promise<void> {
    return this.topic.appendMarker(partitionIndex, producer, commit, timestampMs)
  }

  /** Replays every committed record, in offset order per partition. */
  async load(replay: (record: OffsetsTopicRecord) => void): Promise<OffsetsTopicLoad> {
    const open = new Map<bigint, OffsetsTopicRecord[]>()
    const records = await this.topic.load((record, header) => {
      if (header.isControl) {
        const pending = open.get(header.producerId) ?? []
        open.delete(header.producerId)
        if (decodeControlRecordKey(record.key).type === ControlRecordType.commit)
          for (const each of pending) replay(each)
        return
      }
      if (record.key === null) return
      const decoded = decodeOffsetsTopicRecord(record.key, record.value)
      if (decoded === null) return
      if (!header.isTransactional) {
        replay(decoded)
        return
      }
      open.set(header.producerId, [...(open.get(header.producerId) ?? []), decoded])
    })
    return { records, openTransactions: open }
  }
}
