// Broker-side schema validation on Produce (Confluent Server's `confluent.key.schema.validation` /
// `confluent.value.schema.validation`): the partition's records are decoded and handed to the
// registry's validator (src/registry/validation/); refused records fail the whole partition with
// INVALID_RECORD and Kafka's per-record errors (KIP-467), and nothing is appended. Topics without
// these configs never reach this file (one boolean test in produce.ts).
import { KafkaError } from '../../../errors.ts'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import { splitBatches } from '../../../protocol/records/batch-framing.ts'
import { decodeBatch } from '../../../protocol/records/batch-v2.ts'
import type { ProducedRecord } from '../../../registry/validation/types.ts'
import type { TopicConfig } from '../../../storage/topic-config.ts'
import type { RequestContext } from '../../handler.ts'
import { InvalidRecordsError } from './topic-rules.ts'

export function validatesSchemas(config: TopicConfig): boolean {
  return config.confluentKeySchemaValidation || config.confluentValueSchemaValidation
}

/** Throws InvalidRecordsError (INVALID_RECORD) naming each refused record; returns when all pass. */
export async function checkRecordSchemas(
  context: RequestContext,
  topic: string,
  partition: number,
  config: TopicConfig,
  batches: Buffer,
): Promise<void> {
  const validator = context.services.schemaValidator
  if (validator === undefined)
    throw new KafkaError(
      ErrorCode.INVALID_RECORD,
      `schema validation is on for ${topic}, but this broker has no schema registry`,
    )
  const records: ProducedRecord[] = []
  for (const span of splitBatches(batches).batches) {
    const decoded = await decodeBatch(batches, span.position, { origin: 'produce' })
    for (const record of decoded.records) records.push({ key: record.key, value: record.value })
  }
  let refusals: Awaited<ReturnType<typeof validator.check>>
  try {
    refusals = await validator.check(topic, config, records)
  } catch (error) {
    context.services.log.error({ err: error, topic }, 'schema validation failed to run')
    throw new KafkaError(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `schema validation of ${topic} failed: ${(error as Error).message}`,
    )
  }
  if (refusals.length === 0) return
  const first = refusals[0]
  throw new InvalidRecordsError(
    `${refusals.length} of ${records.length} records to ${topic}-${partition} failed schema validation; first: ${first.message}`,
    refusals.map((refusal) => ({ batchIndex: refusal.batchIndex, batchIndexErrorMessage: refusal.message })),
  )
}
