// DescribeClientQuotas filters, checked and matched as Kafka does (ClientQuotasImage.describe and
// ClientQuotaControlManager): each component names an entity type once and matches an exact name
// (0), the default entity (1, match null) or any name including the default (2, "specified").
// Non-strict: an entity matches when it has every component; strict: it has nothing else either.
// No components, non-strict: every entity.

import { ErrorCode } from '../protocol/generated/index.ts'
import {
  clientIdEntityType,
  ipEntityType,
  type QuotaEntity,
  type QuotaError,
  userEntityType,
} from './quota-entity.ts'

export const matchTypeExact = 0
export const matchTypeDefault = 1
export const matchTypeSpecified = 2

export interface FilterComponent {
  entityType: string
  matchType: number
  match: string | null
}

interface CheckedComponent {
  entityType: string
  /** undefined: any name (specified); null: the default entity; a string: exactly that name. */
  name: string | null | undefined
}

export interface QuotaFilter {
  components: CheckedComponent[]
  strict: boolean
}

function invalid(errorMessage: string): QuotaError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage }
}

/** The filter a request describes, or the top-level error Kafka answers it with. */
export function checkFilter(
  components: readonly FilterComponent[],
  strict: boolean,
): QuotaFilter | QuotaError {
  const checked: CheckedComponent[] = []
  for (const { entityType, matchType, match } of components) {
    if (entityType.length === 0) return invalid('Invalid empty entity type.')
    if (checked.some((component) => component.entityType === entityType)) {
      return invalid(`Entity type ${entityType} cannot appear more than once in the filter.`)
    }
    if (![userEntityType, clientIdEntityType, ipEntityType].includes(entityType)) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        errorMessage: `Unsupported entity type ${entityType}`,
      }
    }
    if (matchType === matchTypeExact) {
      if (match === null) return invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.')
      checked.push({ entityType, name: match })
    } else if (matchType === matchTypeDefault) {
      if (match !== null)
        return invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.')
      checked.push({ entityType, name: null })
    } else if (matchType === matchTypeSpecified) {
      if (match !== null) {
        return invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.')
      }
      checked.push({ entityType, name: undefined })
    } else return invalid(`Unknown match type ${matchType}`)
  }
  const types = new Set(checked.map((component) => component.entityType))
  if (types.has(ipEntityType) && (types.has(userEntityType) || types.has(clientIdEntityType))) {
    return invalid(
      'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    )
  }
  return { components: checked, strict }
}

function nameOf(entity: QuotaEntity, entityType: string): string | null | undefined {
  if (entityType === userEntityType) return entity.user
  if (entityType === clientIdEntityType) return entity.clientId
  return undefined
}

function partCount(entity: QuotaEntity): number {
  return (entity.user === undefined ? 0 : 1) + (entity.clientId === undefined ? 0 : 1)
}

export function filterMatches(filter: QuotaFilter, entity: QuotaEntity): boolean {
  if (filter.strict && partCount(entity) !== filter.components.length) return false
  return filter.components.every((component) => {
    const name = nameOf(entity, component.entityType)
    if (name === undefined) return false
    return component.name === undefined || component.name === name
  })
}
