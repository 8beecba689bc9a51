// The Kafka error codes the storage engine produces (values from shared/kafka-spec/errors.tsv).
// Kept here until the generated `ErrorCode` table exists in src/protocol/generated; then this file
// re-exports from there.

export const StorageErrorCode = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_CONFIG: 40,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
} as const
