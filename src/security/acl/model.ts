// Kafka's ACL vocabulary with Kafka's wire codes (org.apache.kafka.common.resource.ResourceType,
// PatternType, acl.AclOperation, acl.AclPermissionType), and the matching rules of Kafka's
// StandardAuthorizer: LITERAL names match exactly (or the literal wildcard "*"), PREFIXED names match
// every resource that starts with them; a filter's MATCH pattern type finds every ACL that applies to
// one resource name.

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType]

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const
export type PatternType = (typeof PatternType)[keyof typeof PatternType]

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation]

export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType]

/** The one name a CLUSTER resource has in Kafka. */
export const clusterResourceName = 'kafka-cluster'
/** The literal wildcard: a resource name, a principal (`User:*`) or a host. */
export const wildcard = '*'
export const wildcardPrincipal = 'User:*'

/** One ACL binding: a resource pattern and an access control entry. */
export interface AclBinding {
  resourceType: number
  resourceName: string
  patternType: number
  principal: string
  host: string
  operation: number
  permissionType: number
}

/** DescribeAcls / DeleteAcls filter: null strings and the ANY codes match everything. */
export interface AclBindingFilter {
  resourceType: number
  resourceName: string | null
  patternType: number
  principal: string | null
  host: string | null
  operation: number
  permissionType: number
}

const concreteResourceTypes: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7])

/** Why Kafka refuses to create this binding (INVALID_REQUEST), or null when it is valid. */
export function invalidBindingReason(binding: AclBinding): string | null {
  if (!concreteResourceTypes.has(binding.resourceType)) return `invalid resource type ${binding.resourceType}`
  if (binding.patternType !== PatternType.LITERAL && binding.patternType !== PatternType.PREFIXED) {
    return `invalid pattern type ${binding.patternType}`
  }
  if (binding.operation < AclOperation.ALL || binding.operation > AclOperation.DESCRIBE_TOKENS) {
    return `invalid operation ${binding.operation}`
  }
  if (
    binding.permissionType !== AclPermissionType.ALLOW &&
    binding.permissionType !== AclPermissionType.DENY
  ) {
    return `invalid permission type ${binding.permissionType}`
  }
  if (binding.resourceName === '') return 'empty resource name'
  if (binding.resourceType === ResourceType.CLUSTER && binding.resourceName !== clusterResourceName) {
    return `a CLUSTER resource is named ${clusterResourceName}`
  }
  if (!/^[^:]+:.*$/.test(binding.principal)) return `principal ${binding.principal} is not Type:name`
  if (binding.host === '') return 'empty host (use * for every host)'
  return null
}

/** Why a filter cannot be used (INVALID_REQUEST), or null. */
export function invalidFilterReason(filter: AclBindingFilter): string | null {
  if (filter.resourceType === ResourceType.UNKNOWN) return 'unknown resource type'
  if (filter.patternType === PatternType.UNKNOWN) return 'unknown pattern type'
  if (filter.operation === AclOperation.UNKNOWN) return 'unknown operation'
  if (filter.permissionType === AclPermissionType.UNKNOWN) return 'unknown permission type'
  return null
}

/** Whether a binding's resource pattern applies to the resource `type`/`name`. */
export function patternMatches(binding: AclBinding, type: number, name: string): boolean {
  if (binding.resourceType !== type) return false
  if (binding.patternType === PatternType.LITERAL) {
    return binding.resourceName === name || binding.resourceName === wildcard
  }
  return binding.patternType === PatternType.PREFIXED && name.startsWith(binding.resourceName)
}

/** Kafka's AclBindingFilter.matches. */
export function filterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false
  if (filter.patternType === PatternType.MATCH) {
    if (filter.resourceName !== null && !patternMatches(binding, binding.resourceType, filter.resourceName)) {
      return false
    }
  } else {
    if (filter.patternType !== PatternType.ANY && filter.patternType !== binding.patternType) return false
    if (filter.resourceName !== null && filter.resourceName !== binding.resourceName) return false
  }
  if (filter.principal !== null && filter.principal !== binding.principal) return false
  if (filter.host !== null && filter.host !== binding.host) return false
  if (filter.operation !== AclOperation.ANY && filter.operation !== binding.operation) return false
  return filter.permissionType === AclPermissionType.ANY || filter.permissionType === binding.permissionType
}

export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  )
}
