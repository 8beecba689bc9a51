// The Kafka error codes storage produces: the generated table, under the name storage code uses.

export { ErrorCode as StorageErrorCode } from '../protocol/generated/error-codes.ts'
