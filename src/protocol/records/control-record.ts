// Control records: the records of a control batch (isControl attribute). Kafka writes them for
// transaction markers (COMMIT, ABORT) and, in KRaft logs, for other types we only pass through.
//   key:   version int16 (0) · type int16
//   value of an end-transaction marker: version int16 (0) · coordinatorEpoch int32
// Marker batches are transactional control batches with one record, no compression and no sequence.

import { buildBatch } from './batch-v2.ts'
import { CorruptRecordError } from './errors.ts'
import type { KafkaRecord } from './record.ts'

export const ControlRecordType = { abort: 0, commit: 1 } as const
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType]

const controlKeyBytes = 4
const markerValueBytesMin = 6
const currentControlKeyVersion = 0
const currentMarkerValueVersion = 0

export interface ControlRecordKey {
  version: number
  /** 0 abort, 1 commit; other values are KRaft types, kept as numbers. */
  type: number
}

export interface EndTransactionMarker {
  type: ControlRecordType
  coordinatorEpoch: number
}

/** Decodes a control record key. Kafka reads only the first 4 bytes (later versions may add fields). */
export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < controlKeyBytes) {
    throw new CorruptRecordError('record', `control record key of ${key?.length ?? 'null'} bytes, needs 4`)
  }
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) }
}

/** Decodes a COMMIT/ABORT record; fails for other control types. */
export function decodeEndTransactionMarker(record: Pick<KafkaRecord, 'key' | 'value'>): EndTransactionMarker {
  const { type } = decodeControlRecordKey(record.key)
  if (type !== ControlRecordType.abort && type !== ControlRecordType.commit) {
    throw new CorruptRecordError('record', `control record type ${type} is not a transaction marker`)
  }
  const value = record.value
  if (value === null || value.length < markerValueBytesMin) {
    throw new CorruptRecordError(
      'record',
      `transaction marker value of ${value?.length ?? 'null'} bytes, needs 6`,
    )
  }
  return { type, coordinatorEpoch: value.readInt32BE(2) }
}

export function encodeControlRecordKey(type: number): Buffer {
  const key = Buffer.alloc(controlKeyBytes)
  key.writeInt16BE(currentControlKeyVersion, 0)
  key.writeInt16BE(type, 2)
  return key
}

export function encodeEndTransactionMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(markerValueBytesMin)
  value.writeInt16BE(currentMarkerValueVersion, 0)
  value.writeInt32BE(coordinatorEpoch, 2)
  return value
}

export interface BuildMarkerBatchOptions {
  marker: EndTransactionMarker
  producerId: bigint
  producerEpoch: number
  timestamp: number
  baseOffset?: number
  partitionLeaderEpoch?: number
}

/** A transaction marker batch as the transaction coordinator writes it (WriteTxnMarkers). */
export function buildEndTransactionMarkerBatch(options: BuildMarkerBatchOptions): Promise<Buffer> {
  return buildBatch({
    records: [
      {
        timestamp: options.timestamp,
        key: encodeControlRecordKey(options.marker.type),
        value: encodeEndTransactionMarkerValue(options.marker.coordinatorEpoch),
      },
    ],
    baseOffset: options.baseOffset,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    isControl: true,
    isTransactional: true,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
  })
}
