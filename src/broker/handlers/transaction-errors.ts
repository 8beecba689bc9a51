// Before KIP-588, transaction APIs answered a fenced producer with INVALID_PRODUCER_EPOCH; newer
// versions use PRODUCER_FENCED. This maps the coordinator's code to what each version expects.

import { ErrorCode } from '../../protocol/generated/index.ts'

export function fencedErrorFor(
  errorCode: number,
  apiVersion: number,
  producerFencedVersionMin: number,
): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < producerFencedVersionMin
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode
}
