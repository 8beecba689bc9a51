// The embedded consumer protocol of classic members (ConsumerProtocolSubscription and
// ConsumerProtocolAssignment, the bytes in JoinGroup's protocol metadata and SyncGroup's assignment)
// as the consumer group coordinator reads and writes them for classic members of a KIP-848 group.

import { KafkaError } from '../../errors.ts'
import {
  type ConsumerProtocolAssignment,
  decodeConsumerProtocolAssignmentByVersion,
  encodeConsumerProtocolAssignmentV0,
} from '../../protocol/generated/consumer-protocol-assignment.ts'
import {
  type ConsumerProtocolSubscription,
  decodeConsumerProtocolSubscriptionByVersion,
} from '../../protocol/generated/consumer-protocol-subscription.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { Reader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'

type TopicPartitions = { topic: string; partitions: number[] }[]

/** A member's subscription; INCONSISTENT_GROUP_PROTOCOL when the bytes are not one (Kafka answers a
 * malformed embedded protocol with that code too). Newer versions keep the older fields in front. */
export function decodeClassicSubscription(metadata: Buffer): ConsumerProtocolSubscription {
  return decodeVersioned(metadata, decodeConsumerProtocolSubscriptionByVersion, 'subscription')
}

/** The partitions of a classic member's assignment bytes (empty bytes: none). */
export function decodeClassicAssignment(bytes: Buffer): TopicPartitions {
  if (bytes.length === 0) return []
  const assignment: ConsumerProtocolAssignment = decodeVersioned(
    bytes,
    decodeConsumerProtocolAssignmentByVersion,
    'assignment',
  )
  return assignment.assignedPartitions
}

/** Assignment bytes (version 0, which every consumer reads) for a classic member's SyncGroup answer. */
export function encodeClassicAssignment(partitions: TopicPartitions): Buffer {
  const writer = new Writer()
  writer.writeInt16(0)
  encodeConsumerProtocolAssignmentV0(writer, { assignedPartitions: partitions, userData: null })
  return writer.toBuffer()
}

function decodeVersioned<T>(
  bytes: Buffer,
  decoders: readonly (((reader: Reader) => T) | undefined)[],
  what: string,
): T {
  try {
    const reader = new Reader(bytes)
    const version = reader.readInt16('version')
    const decode = version < 0 ? undefined : decoders[Math.min(version, decoders.length - 1)]
    if (decode !== undefined) return decode(reader)
  } catch {
    // answered below
  }
  throw new KafkaError(
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    `The embedded consumer protocol ${what} is malformed.`,
  )
}
