// The records of `__consumer_offsets`, in Kafka's own key/value schemas (shared/kafka-spec/internal):
// key = int16 version + key struct; value = int16 version + value struct; a null value is a tombstone.
//   key v0/v1 OffsetCommitKey   → value OffsetCommitValue (we write v3)
//   key v2    GroupMetadataKey  → value GroupMetadataValue (we write v3)
// Kafka's own tools (kafka-console-consumer with the offsets formatter) read what we write.

import { DecodeError } from '../../errors.ts'
import {
  decodeGroupMetadataKeyV2,
  encodeGroupMetadataKeyV2,
} from '../../protocol/generated/group-metadata-key.ts'
import {
  decodeGroupMetadataValueByVersion,
  encodeGroupMetadataValueV3,
  type GroupMetadataValue,
} from '../../protocol/generated/group-metadata-value.ts'
import {
  decodeOffsetCommitKeyByVersion,
  encodeOffsetCommitKeyV1,
} from '../../protocol/generated/offset-commit-key.ts'
import {
  decodeOffsetCommitValueByVersion,
  encodeOffsetCommitValueV3,
  type OffsetCommitValue,
} from '../../protocol/generated/offset-commit-value.ts'
import { Reader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'
import { type ConsumerGroupRecord, decodeConsumerGroupRecord } from './consumer-group-records.ts'

export type { GroupMetadataValue, OffsetCommitValue }

const groupMetadataKeyVersion = 2
const offsetCommitKeyVersion = 1
const offsetCommitValueVersion = 3
const groupMetadataValueVersion = 3

export type OffsetsTopicRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { kind: 'group'; group: string; value: GroupMetadataValue | null }
  | { kind: 'consumer'; group: string; record: ConsumerGroupRecord }

export function encodeOffsetCommitRecord(
  key: { group: string; topic: string; partition: number },
  value: OffsetCommitValue | null,
): { key: Buffer; value: Buffer | null } {
  const keyWriter = new Writer().writeInt16(offsetCommitKeyVersion)
  encodeOffsetCommitKeyV1(keyWriter, key)
  if (value === null) return { key: keyWriter.toBuffer(), value: null }
  const valueWriter = new Writer().writeInt16(offsetCommitValueVersion)
  encodeOffsetCommitValueV3(valueWriter, value)
  return { key: keyWriter.toBuffer(), value: valueWriter.toBuffer() }
}

export function encodeGroupMetadataRecord(
  group: string,
  value: GroupMetadataValue | null,
): { key: Buffer; value: Buffer | null } {
  const keyWriter = new Writer().writeInt16(groupMetadataKeyVersion)
  encodeGroupMetadataKeyV2(keyWriter, { group })
  if (value === null) return { key: keyWriter.toBuffer(), value: null }
  const valueWriter = new Writer().writeInt16(groupMetadataValueVersion)
  encodeGroupMetadataValueV3(valueWriter, value)
  return { key: keyWriter.toBuffer(), value: valueWriter.toBuffer() }
}

/** Decodes one record of the topic; null for key versions this broker does not know (skipped). */
export function decodeOffsetsTopicRecord(key: Buffer, value: Buffer | null): OffsetsTopicRecord | null {
  const keyReader = new Reader(key)
  const keyVersion = keyReader.readInt16('key.version')
  if (keyVersion === 0 || keyVersion === 1) {
    const decoded = decodeOffsetCommitKeyByVersion[keyVersion]?.(keyReader)
    if (decoded === undefined) return null
    return {
      kind: 'offset',
      ...decoded,
      value: value === null ? null : decodeVersioned(value, decodeOffsetCommitValueByVersion),
    }
  }
  if (keyVersion === groupMetadataKeyVersion) {
    const { group } = decodeGroupMetadataKeyV2(keyReader)
    return {
      kind: 'group',
      group,
      value: value === null ? null : decodeVersioned(value, decodeGroupMetadataValueByVersion),
    }
  }
  // Key versions 3-8: KIP-848 consumer group records (consumer-group-records.ts).
  const consumerRecord = decodeConsumerGroupRecord(keyVersion, keyReader, value)
  if (consumerRecord !== null)
    return { kind: 'consumer', group: consumerRecord.groupId, record: consumerRecord }
  return null
}

function decodeVersioned<T>(bytes: Buffer, decoders: readonly (((reader: Reader) => T) | undefined)[]): T {
  const reader = new Reader(bytes)
  const version = reader.readInt16('value.version')
  const decode = decoders[version]
  if (decode === undefined) throw new DecodeError(`unknown value version ${version}`, 0, 'value.version')
  return decode(reader)
}
