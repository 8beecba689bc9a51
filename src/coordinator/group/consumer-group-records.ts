// The records of KIP-848 consumer groups in `__consumer_offsets`, in Kafka's own key/value schemas
// (shared/kafka-spec/internal/ConsumerGroup*.json). The key's int16 version names the record type:
//   3 ConsumerGroupMetadata            → group epoch
//   4 ConsumerGroupPartitionMetadata   → the subscribed topics (id, name, partition count)
//   5 ConsumerGroupMemberMetadata      → one member's subscription and client details
//   6 ConsumerGroupTargetAssignmentMetadata → the assignment epoch
//   7 ConsumerGroupTargetAssignmentMember   → one member's target partitions
//   8 ConsumerGroupCurrentMemberAssignment  → one member's epoch, state and current partitions
// Values are all version 0; a null value is a tombstone. Kafka's tools read what we write.

import { DecodeError } from '../../errors.ts'
import {
  decodeConsumerGroupCurrentMemberAssignmentKeyV8,
  encodeConsumerGroupCurrentMemberAssignmentKeyV8,
} from '../../protocol/generated/consumer-group-current-member-assignment-key.ts'
import {
  type ConsumerGroupCurrentMemberAssignmentValue,
  decodeConsumerGroupCurrentMemberAssignmentValueV0,
  encodeConsumerGroupCurrentMemberAssignmentValueV0,
} from '../../protocol/generated/consumer-group-current-member-assignment-value.ts'
import {
  decodeConsumerGroupMemberMetadataKeyV5,
  encodeConsumerGroupMemberMetadataKeyV5,
} from '../../protocol/generated/consumer-group-member-metadata-key.ts'
import {
  type ConsumerGroupMemberMetadataValue,
  decodeConsumerGroupMemberMetadataValueV0,
  encodeConsumerGroupMemberMetadataValueV0,
} from '../../protocol/generated/consumer-group-member-metadata-value.ts'
import {
  decodeConsumerGroupMetadataKeyV3,
  encodeConsumerGroupMetadataKeyV3,
} from '../../protocol/generated/consumer-group-metadata-key.ts'
import {
  type ConsumerGroupMetadataValue,
  decodeConsumerGroupMetadataValueV0,
  encodeConsumerGroupMetadataValueV0,
} from '../../protocol/generated/consumer-group-metadata-value.ts'
import {
  decodeConsumerGroupPartitionMetadataKeyV4,
  encodeConsumerGroupPartitionMetadataKeyV4,
} from '../../protocol/generated/consumer-group-partition-metadata-key.ts'
import {
  type ConsumerGroupPartitionMetadataValue,
  decodeConsumerGroupPartitionMetadataValueV0,
  encodeConsumerGroupPartitionMetadataValueV0,
} from '../../protocol/generated/consumer-group-partition-metadata-value.ts'
import {
  decodeConsumerGroupTargetAssignmentMemberKeyV7,
  encodeConsumerGroupTargetAssignmentMemberKeyV7,
} from '../../protocol/generated/consumer-group-target-assignment-member-key.ts'
import {
  type ConsumerGroupTargetAssignmentMemberValue,
  decodeConsumerGroupTargetAssignmentMemberValueV0,
  encodeConsumerGroupTargetAssignmentMemberValueV0,
} from '../../protocol/generated/consumer-group-target-assignment-member-value.ts'
import {
  decodeConsumerGroupTargetAssignmentMetadataKeyV6,
  encodeConsumerGroupTargetAssignmentMetadataKeyV6,
} from '../../protocol/generated/consumer-group-target-assignment-metadata-key.ts'
import {
  type ConsumerGroupTargetAssignmentMetadataValue,
  decodeConsumerGroupTargetAssignmentMetadataValueV0,
  encodeConsumerGroupTargetAssignmentMetadataValueV0,
} from '../../protocol/generated/consumer-group-target-assignment-metadata-value.ts'
import type { Reader } from '../../protocol/reader.ts'
import { Reader as BufferReader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'

export type {
  ConsumerGroupCurrentMemberAssignmentValue,
  ConsumerGroupMemberMetadataValue,
  ConsumerGroupPartitionMetadataValue,
}

export type ConsumerGroupRecord =
  | { type: 'GroupEpoch'; groupId: string; value: ConsumerGroupMetadataValue | null }
  | { type: 'PartitionMetadata'; groupId: string; value: ConsumerGroupPartitionMetadataValue | null }
  | {
      type: 'MemberMetadata'
      groupId: string
      memberId: string
      value: ConsumerGroupMemberMetadataValue | null
    }
  | {
      type: 'TargetAssignmentEpoch'
      groupId: string
      value: ConsumerGroupTargetAssignmentMetadataValue | null
    }
  | {
      type: 'TargetAssignmentMember'
      groupId: string
      memberId: string
      value: ConsumerGroupTargetAssignmentMemberValue | null
    }
  | {
      type: 'CurrentAssignment'
      groupId: string
      memberId: string
      value: ConsumerGroupCurrentMemberAssignmentValue | null
    }

/** The key version of each record type (the versions in Kafka's JSON files). */
export const consumerGroupKeyVersions = {
  GroupEpoch: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentEpoch: 6,
  TargetAssignmentMember: 7,
  CurrentAssignment: 8,
} as const

const valueVersion = 0

export function encodeConsumerGroupRecord(record: ConsumerGroupRecord): {
  key: Buffer
  value: Buffer | null
} {
  const key = new Writer().writeInt16(consumerGroupKeyVersions[record.type])
  const value = record.value === null ? null : new Writer().writeInt16(valueVersion)
  switch (record.type) {
    case 'GroupEpoch':
      encodeConsumerGroupMetadataKeyV3(key, { groupId: record.groupId })
      if (value !== null && record.value !== null) encodeConsumerGroupMetadataValueV0(value, record.value)
      break
    case 'PartitionMetadata':
      encodeConsumerGroupPartitionMetadataKeyV4(key, { groupId: record.groupId })
      if (value !== null && record.value !== null)
        encodeConsumerGroupPartitionMetadataValueV0(value, record.value)
      break
    case 'MemberMetadata':
      encodeConsumerGroupMemberMetadataKeyV5(key, { groupId: record.groupId, memberId: record.memberId })
      if (value !== null && record.value !== null)
        encodeConsumerGroupMemberMetadataValueV0(value, record.value)
      break
    case 'TargetAssignmentEpoch':
      encodeConsumerGroupTargetAssignmentMetadataKeyV6(key, { groupId: record.groupId })
      if (value !== null && record.value !== null)
        encodeConsumerGroupTargetAssignmentMetadataValueV0(value, record.value)
      break
    case 'TargetAssignmentMember':
      encodeConsumerGroupTargetAssignmentMemberKeyV7(key, {
        groupId: record.groupId,
        memberId: record.memberId,
      })
      if (value !== null && record.value !== null)
        encodeConsumerGroupTargetAssignmentMemberValueV0(value, record.value)
      break
    case 'CurrentAssignment':
      encodeConsumerGroupCurrentMemberAssignmentKeyV8(key, {
        groupId: record.groupId,
        memberId: record.memberId,
      })
      if (value !== null && record.value !== null)
        encodeConsumerGroupCurrentMemberAssignmentValueV0(value, record.value)
      break
  }
  return { key: key.toBuffer(), value: value === null ? null : value.toBuffer() }
}

/** Decodes a record whose key version (already read from `keyReader`) is 3-8; null for others. */
export function decodeConsumerGroupRecord(
  keyVersion: number,
  keyReader: Reader,
  value: Buffer | null,
): ConsumerGroupRecord | null {
  switch (keyVersion) {
    case consumerGroupKeyVersions.GroupEpoch:
      return {
        type: 'GroupEpoch',
        ...decodeConsumerGroupMetadataKeyV3(keyReader),
        value: decodeValue(value, decodeConsumerGroupMetadataValueV0),
      }
    case consumerGroupKeyVersions.PartitionMetadata:
      return {
        type: 'PartitionMetadata',
        ...decodeConsumerGroupPartitionMetadataKeyV4(keyReader),
        value: decodeValue(value, decodeConsumerGroupPartitionMetadataValueV0),
      }
    case consumerGroupKeyVersions.MemberMetadata:
      return {
        type: 'MemberMetadata',
        ...decodeConsumerGroupMemberMetadataKeyV5(keyReader),
        value: decodeValue(value, decodeConsumerGroupMemberMetadataValueV0),
      }
    case consumerGroupKeyVersions.TargetAssignmentEpoch:
      return {
        type: 'TargetAssignmentEpoch',
        ...decodeConsumerGroupTargetAssignmentMetadataKeyV6(keyReader),
        value: decodeValue(value, decodeConsumerGroupTargetAssignmentMetadataValueV0),
      }
    case consumerGroupKeyVersions.TargetAssignmentMember:
      return {
        type: 'TargetAssignmentMember',
        ...decodeConsumerGroupTargetAssignmentMemberKeyV7(keyReader),
        value: decodeValue(value, decodeConsumerGroupTargetAssignmentMemberValueV0),
      }
    case consumerGroupKeyVersions.CurrentAssignment:
      return {
        type: 'CurrentAssignment',
        ...decodeConsumerGroupCurrentMemberAssignmentKeyV8(keyReader),
        value: decodeValue(value, decodeConsumerGroupCurrentMemberAssignmentValueV0),
      }
    default:
      return null
  }
}

function decodeValue<T>(bytes: Buffer | null, decode: (reader: Reader) => T): T | null {
  if (bytes === null) return null
  const reader = new BufferReader(bytes)
  const version = reader.readInt16('value.version')
  if (version !== valueVersion) throw new DecodeError(`unknown value version ${version}`, 0, 'value.version')
  return decode(reader)
}
