// Kafka's StandardAuthorizer decision, over the AclStore:
//  1. a super user (`super.users`) may do everything;
//  2. a DENY ACL for the operation (or ALL) matching principal (or User:*) and host (or *) denies;
//  3. an ALLOW ACL for the operation, ALL, or an operation implying it allows: READ, WRITE, DELETE and
//     ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS;
//  4. when no ACL at all applies to the resource, `allow.everyone.if.no.acl.found` decides (default
//     false).
// ACLs are scanned linearly (bounded by aclBindingsMax); fine for the hundreds a broker usually has.

import type { StateDocuments } from '../../storage/state-file.ts'
import { AclStore } from './acl-store.ts'
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  patternMatches,
  wildcard,
  wildcardPrincipal,
} from './model.ts'

export interface AuthorizerOptions {
  /** `super.users`: principals as Kafka writes them (`User:admin`). */
  superUsers: readonly string[]
  /** `allow.everyone.if.no.acl.found`. */
  allowEveryoneIfNoAclFound: boolean
}

/** The operations whose ALLOW also allows `operation`. */
function allowingOperations(operation: number): readonly number[] {
  if (operation === AclOperation.DESCRIBE) {
    return [
      AclOperation.ALL,
      AclOperation.DESCRIBE,
      AclOperation.READ,
      AclOperation.WRITE,
      AclOperation.DELETE,
      AclOperation.ALTER,
    ]
  }
  if (operation === AclOperation.DESCRIBE_CONFIGS) {
    return [AclOperation.ALL, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]
  }
  return [AclOperation.ALL, operation]
}

export class Authorizer {
  readonly acls: AclStore
  private readonly superUsers: ReadonlySet<string>
  private readonly allowEveryoneIfNoAclFound: boolean

  constructor(acls: AclStore, options: AuthorizerOptions) {
    this.acls = acls
    this.superUsers = new Set(options.superUsers)
    this.allowEveryoneIfNoAclFound = options.allowEveryoneIfNoAclFound
  }

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal)
  }

  authorize(
    principal: string,
    host: string,
    operation: number,
    resourceType: number,
    resourceName: string,
  ): boolean {
    if (this.superUsers.has(principal)) return true
    const allowing = allowingOperations(operation)
    let anyAcl = false
    let allowed = false
    for (const binding of this.acls.all()) {
      if (!patternMatches(binding, resourceType, resourceName)) continue
      anyAcl = true
      if (binding.principal !== principal && binding.principal !== wildcardPrincipal) continue
      if (binding.host !== host && binding.host !== wildcard) continue
      if (binding.permissionType === AclPermissionType.DENY) {
        if (binding.operation === operation || binding.operation === AclOperation.ALL) return false
      } else if (allowing.includes(binding.operation)) {
        allowed = true
      }
    }
    return allowed || (!anyAcl && this.allowEveryoneIfNoAclFound)
  }

  /**
   * Kafka's authorizeByResourceType (DefaultResourceTypeBasedAuthorization): may the principal do
   * `operation` on at least one resource of `resourceType`? InitProducerId without a transactional id
   * asks it for WRITE on any topic. Only ACLs naming the operation itself or ALL count (no
   * implication); a DENY on the literal "*" denies outright; an ALLOW on "*" allows; otherwise some
   * allowed name must not be denied literally nor fall under a denied prefix. The first check is
   * Kafka's too: an ordinary authorization on a made-up name, which admits super users and, when no
   * ACL applies to that name, `allow.everyone.if.no.acl.found`.
   */
  authorizeByResourceType(principal: string, host: string, operation: number, resourceType: number): boolean {
    if (this.authorize(principal, host, operation, resourceType, 'hardcode')) return true
    const allowed = { literal: new Set<string>(), prefixed: new Set<string>() }
    const denied = { literal: new Set<string>(), prefixed: new Set<string>() }
    for (const binding of this.acls.all()) {
      if (binding.resourceType !== resourceType) continue
      if (binding.principal !== principal && binding.principal !== wildcardPrincipal) continue
      if (binding.host !== host && binding.host !== wildcard) continue
      if (binding.operation !== operation && binding.operation !== AclOperation.ALL) continue
      const literal = binding.patternType === PatternType.LITERAL
      if (binding.permissionType === AclPermissionType.DENY) {
        if (literal && binding.resourceName === wildcard) return false
        ;(literal ? denied.literal : denied.prefixed).add(binding.resourceName)
      } else if (binding.permissionType === AclPermissionType.ALLOW) {
        ;(literal ? allowed.literal : allowed.prefixed).add(binding.resourceName)
      }
    }
    if (allowed.literal.has(wildcard)) return true
    const underDeniedPrefix = (name: string) => [...denied.prefixed].some((prefix) => name.startsWith(prefix))
    for (const name of allowed.literal) {
      if (!denied.literal.has(name) && !underDeniedPrefix(name)) return true
    }
    for (const name of allowed.prefixed) {
      if (!underDeniedPrefix(name)) return true
    }
    return false
  }
}

/** The authorizer when `authorizer = true` (ACLs loaded from the data dir or, in cluster mode,
 * PostgreSQL), else undefined. */
export async function openAuthorizer(
  options: AuthorizerOptions | undefined,
  storage: { dataDir?: string; documents?: StateDocuments },
): Promise<Authorizer | undefined> {
  if (options === undefined) return undefined
  const acls = new AclStore(storage)
  await acls.load()
  return new Authorizer(acls, options)
}
