// Kafka's rules for topic names (Topic.validate): 1..249 characters of [a-zA-Z0-9._-], not "." or
// "..". The partition directory is `<topic>-<partition>`, so these rules also keep paths safe.

import { KafkaError } from '../errors.ts'
import { StorageErrorCode } from './error-codes.ts'

export const topicNameLengthMax = 249
const legalTopicName = /^[a-zA-Z0-9._-]+$/

/** Throws KafkaError INVALID_TOPIC_EXCEPTION when `name` is not a legal topic name. */
export function validateTopicName(name: string): void {
  if (name.length === 0 || name.length > topicNameLengthMax || name === '.' || name === '..') {
    throw new KafkaError(StorageErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name '${name}'`)
  }
  if (!legalTopicName.test(name)) {
    throw new KafkaError(
      StorageErrorCode.INVALID_TOPIC_EXCEPTION,
      `topic name '${name}' has illegal characters`,
    )
  }
}

/** Throws KafkaError INVALID_PARTITIONS unless `count` is a positive integer (and not absurd). */
export function validatePartitionCount(count: number, partitionsMax: number): void {
  if (!Number.isInteger(count) || count < 1 || count > partitionsMax) {
    throw new KafkaError(
      StorageErrorCode.INVALID_PARTITIONS,
      `partition count ${count} is outside [1, ${partitionsMax}]`,
    )
  }
}
