// Kafka's client quota entities: a user, a client id, or a user with a client id, where either name
// may be the default entity (`<default>`, a null name on the wire). Validated with the checks and
// messages of Kafka's ClientQuotaControlManager. IP entities (`connection_creation_rate`, KIP-612)
// are not supported: they are refused with INVALID_REQUEST.

import { ErrorCode } from '../protocol/generated/index.ts'

export const userEntityType = 'user'
export const clientIdEntityType = 'client-id'
export const ipEntityType = 'ip'

/** One quota entity. A field absent: the entity has no such part; null: the default entity. */
export interface QuotaEntity {
  user?: string | null
  clientId?: string | null
}

/** One entity part as the wire carries it. */
export interface EntityPart {
  entityType: string
  entityName: string | null
}

export interface QuotaError {
  errorCode: number
  errorMessage: string
}

function invalid(errorMessage: string): QuotaError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage }
}

/** The entity a request names, or why it is refused. */
export function entityOfParts(parts: readonly EntityPart[]): QuotaEntity | QuotaError {
  if (parts.length === 0) return invalid('Invalid empty client quota entity')
  const entity: QuotaEntity = {}
  const seen = new Set<string>()
  for (const { entityType, entityName } of parts) {
    if (seen.has(entityType)) {
      return invalid(`Invalid empty client quota entity, duplicate entity entry ${entityType}`)
    }
    seen.add(entityType)
    if (entityType === userEntityType) entity.user = entityName
    else if (entityType === clientIdEntityType) entity.clientId = entityName
    else if (entityType === ipEntityType) {
      return invalid('IP quota entities (connection_creation_rate) are not supported by this broker')
    } else return invalid(`Unhandled client quota entity type: ${entityType}`)
    if (entityName !== null && entityName.length === 0) return invalid(`Empty ${entityType} not supported`)
  }
  return entity
}

export function isQuotaError(value: QuotaEntity | QuotaError): value is QuotaError {
  return 'errorCode' in value
}

/** The wire form, user first (the order Kafka's tools print). */
export function partsOfEntity(entity: QuotaEntity): EntityPart[] {
  const parts: EntityPart[] = []
  if (entity.user !== undefined) parts.push({ entityType: userEntityType, entityName: entity.user })
  if (entity.clientId !== undefined)
    parts.push({ entityType: clientIdEntityType, entityName: entity.clientId })
  return parts
}

/** A map key: equal entities, equal keys. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify([entity.user, entity.clientId].map((name) => (name === undefined ? 0 : name)))
}

/** For logs: `user=alice,client-id=<default>`. */
export function describeEntity(entity: QuotaEntity): string {
  return partsOfEntity(entity)
    .map((part) => `${part.entityType}=${part.entityName ?? '<default>'}`)
    .join(',')
}
