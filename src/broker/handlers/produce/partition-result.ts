// A Produce partition answer that appended nothing: the error code and Kafka's "no offset" values.

import type { PartitionProduceResponse } from '../../../protocol/generated/produce-response.ts'

export function partitionResult(index: number, errorCode: number): PartitionProduceResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage: null,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  }
}
