// Produce's one request-wide ACL check (Kafka's KafkaApis.handleProduceRequest): a request holding a
// transactional batch needs WRITE on its transactional id; without it (or without an id at all) every
// partition is answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED and nothing is appended. As in Kafka
// (ProduceRequest.hasTransactionalRecords) the first batch of each partition decides; record bytes
// that are not a v2 batch are left to validation.

import { ErrorCode } from '../../../protocol/generated/index.ts'
import type { ProduceRequest } from '../../../protocol/generated/produce-request.ts'
import type { TopicProduceResponse } from '../../../protocol/generated/produce-response.ts'
import {
  BatchAttribute,
  BatchField,
  batchHeaderBytes,
  currentMagic,
} from '../../../protocol/records/batch-header.ts'
import { AclOperation, ResourceType } from '../../../security/acl/model.ts'
import { allows } from '../../../security/acl/request.ts'
import type { RequestContext } from '../../handler.ts'
import { partitionResult } from './partition-result.ts'

function isTransactionalBatch(records: Buffer | null): boolean {
  if (records === null || records.length < batchHeaderBytes) return false
  if (records.readInt8(BatchField.magic) !== currentMagic) return false
  return (records.readInt16BE(BatchField.attributes) & BatchAttribute.isTransactional) !== 0
}

/** The responses refusing the whole request, or null when it may go on. */
export function refuseUnauthorizedTransactionalProduce(
  context: RequestContext,
  request: ProduceRequest,
): TopicProduceResponse[] | null {
  const transactional = request.topicData.some((topic) =>
    topic.partitionData.some((partition) => isTransactionalBatch(partition.records)),
  )
  if (!transactional) return null
  const { transactionalId } = request
  if (
    transactionalId !== null &&
    allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)
  ) {
    return null
  }
  return request.topicData.map((topic) => ({
    name: topic.name,
    partitionResponses: topic.partitionData.map((partition) =>
      partitionResult(partition.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
    ),
  }))
}
