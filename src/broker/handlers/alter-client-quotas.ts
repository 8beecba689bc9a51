// AlterClientQuotas (key 49), v0-1: sets and removes quota values (producer_byte_rate,
// consumer_byte_rate, request_percentage, controller_mutation_rate) on user, client-id and
// user+client-id entities, default entities included (null name). v1: flexible. One result per
// entry; an entry's changes apply all or none, durably before the answer (src/quotas/quota-store.ts);
// validate_only checks and changes nothing. Errors, with Kafka's messages: INVALID_REQUEST (empty or
// unknown entity, an entity type twice, an empty name, an unknown key, a fractional byte rate, a key
// or an entity twice in one request), CLUSTER_AUTHORIZATION_FAILED without ALTER_CONFIGS on the
// cluster (ACLs).
// Known gaps: IP entities (connection_creation_rate) are refused with INVALID_REQUEST.

import { KafkaError } from '../../errors.ts'
import type { EntryData as RequestEntry } from '../../protocol/generated/alter-client-quotas-request.ts'
import type { EntryData as ResultEntry } from '../../protocol/generated/alter-client-quotas-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import {
  describeEntity,
  entityKey,
  entityOfParts,
  isQuotaError,
  type QuotaEntity,
  type QuotaError,
} from '../../quotas/quota-entity.ts'
import { type QuotaKey, type QuotaValues, quotaValueProblem } from '../../quotas/quota-keys.ts'
import type { QuotaAlteration } from '../../quotas/quota-store.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const alterClientQuotas = defineHandler({
  apiKey: ApiKey.AlterClientQuotas,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const store = context.services.quotas?.store
    const authorized = allowsOnCluster(context, AclOperation.ALTER_CONFIGS)
    // An entity named twice is refused both times (Kafka: "Ignoring duplicate entity").
    const keys = request.entries.map((entry, index) => {
      const entity = entityOfParts(entry.entity)
      return isQuotaError(entity) ? `invalid ${index}` : entityKey(entity)
    })
    const twice = (index: number) => keys.indexOf(keys[index]) !== keys.lastIndexOf(keys[index])
    const alterations: QuotaAlteration[] = []
    const applied: number[] = []
    const entries: ResultEntry[] = request.entries.map((entry, index) => {
      const outcome: QuotaAlteration | QuotaError = !authorized
        ? { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' }
        : store === undefined
          ? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'no client quota store' }
          : twice(index)
            ? invalid(
                `Ignoring duplicate entity ${describeEntity(entityOfParts(entry.entity) as QuotaEntity)}`,
              )
            : alterationOf(entry)
      if ('errorCode' in outcome) return result(entry, outcome)
      alterations.push(outcome)
      applied.push(index)
      return result(entry, { errorCode: ErrorCode.NONE, errorMessage: null })
    })
    if (store !== undefined && !request.validateOnly && alterations.length > 0) {
      try {
        await store.apply(alterations)
      } catch (error) {
        // The entity bound (quotaEntitiesMax): nothing was applied. Other failures close the connection.
        if (!(error instanceof KafkaError)) throw error
        const refused = { errorCode: error.errorCode, errorMessage: error.message }
        for (const index of applied) entries[index] = result(request.entries[index], refused)
        return { throttleTimeMs: 0, entries }
      }
      for (const alteration of alterations) {
        context.services.log.info(
          { entity: describeEntity(alteration.entity), set: alteration.set, removed: alteration.remove },
          'client quotas altered',
        )
      }
    }
    return { throttleTimeMs: 0, entries }
  },
})

function alterationOf(entry: RequestEntry): QuotaAlteration | QuotaError {
  const entity = entityOfParts(entry.entity)
  if (isQuotaError(entity)) return entity
  const set: QuotaValues = {}
  const remove: QuotaKey[] = []
  const seen = new Set<string>()
  for (const op of entry.ops) {
    if (seen.has(op.key)) {
      return invalid(
        `Duplicate quota key ${op.key} not updating quota for this entity ${describeEntity(entity)}`,
      )
    }
    seen.add(op.key)
    const problem = quotaValueProblem(op.key, op.remove ? 0 : op.value)
    if (problem !== null) return invalid(problem)
    if (op.remove) remove.push(op.key as QuotaKey)
    else set[op.key as QuotaKey] = op.value
  }
  return { entity, set, remove }
}

function invalid(errorMessage: string): QuotaError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage }
}

function result(
  entry: RequestEntry,
  outcome: { errorCode: number; errorMessage: string | null },
): ResultEntry {
  return {
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    entity: entry.entity.map(({ entityType, entityName }) => ({ entityType, entityName })),
  }
}
