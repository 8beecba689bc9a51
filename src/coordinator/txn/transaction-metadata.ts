// The state of one transactional id (Kafka's TransactionMetadata) and its record in
// `__transaction_state`: key = int16 version 0 + TransactionLogKey, value = int16 version 0 +
// TransactionLogValue, in Kafka's schemas, so the topic reads like Kafka's own.

import {
  decodeTransactionLogKeyV0,
  encodeTransactionLogKeyV0,
} from '../../protocol/generated/transaction-log-key.ts'
import {
  decodeTransactionLogValueByVersion,
  encodeTransactionLogValueV0,
  type TransactionLogValue,
} from '../../protocol/generated/transaction-log-value.ts'
import { Reader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'

/** Kafka's TransactionState ids, as stored in TransactionLogValue.transactionStatus. */
export const TransactionState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState]

export const transactionStateNames: Record<TransactionState, string> = {
  0: 'Empty',
  1: 'Ongoing',
  2: 'PrepareCommit',
  3: 'PrepareAbort',
  4: 'CompleteCommit',
  5: 'CompleteAbort',
  6: 'Dead',
  7: 'PrepareEpochFence',
}

export interface TransactionMetadata {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  timeoutMs: number
  state: TransactionState
  /** topic → partitions in the current transaction (a `__consumer_offsets` partition for offsets). */
  partitions: Map<string, Set<number>>
  startMs: number
  lastUpdateMs: number
}

export function encodeTransactionRecord(metadata: TransactionMetadata): { key: Buffer; value: Buffer } {
  const key = new Writer().writeInt16(0)
  encodeTransactionLogKeyV0(key, { transactionalId: metadata.transactionalId })
  const value = new Writer().writeInt16(0)
  encodeTransactionLogValueV0(value, {
    producerId: metadata.producerId,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: metadata.producerEpoch,
    transactionTimeoutMs: metadata.timeoutMs,
    transactionStatus: metadata.state,
    transactionPartitions: [...metadata.partitions].map(([topic, ids]) => ({
      topic,
      partitionIds: [...ids].sort((a, b) => a - b),
    })),
    transactionLastUpdateTimestampMs: BigInt(metadata.lastUpdateMs),
    transactionStartTimestampMs: BigInt(metadata.startMs),
    clientTransactionVersion: 0,
  })
  return { key: key.toBuffer(), value: value.toBuffer() }
}

/** Decodes one record of `__transaction_state`; null for key versions this broker does not know. */
export function decodeTransactionRecord(
  key: Buffer,
  value: Buffer | null,
): { transactionalId: string; metadata: TransactionMetadata | null } | null {
  const keyReader = new Reader(key)
  if (keyReader.readInt16('key.version') !== 0) return null
  const { transactionalId } = decodeTransactionLogKeyV0(keyReader)
  if (value === null) return { transactionalId, metadata: null }
  const valueReader = new Reader(value)
  const decode = decodeTransactionLogValueByVersion[valueReader.readInt16('value.version')]
  if (decode === undefined) return null
  const stored: TransactionLogValue = decode(valueReader)
  return {
    transactionalId,
    metadata: {
      transactionalId,
      producerId: stored.producerId,
      producerEpoch: stored.producerEpoch,
      timeoutMs: stored.transactionTimeoutMs,
      state: stored.transactionStatus as TransactionState,
      partitions: new Map(
        (stored.transactionPartitions ?? []).map((entry) => [entry.topic, new Set(entry.partitionIds)]),
      ),
      startMs: Number(stored.transactionStartTimestampMs),
      lastUpdateMs: Number(stored.transactionLastUpdateTimestampMs),
    },
  }
}
