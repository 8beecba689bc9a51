// The one question enforcing handlers ask: may this request's principal, from its host, do
// `operation` on the resource? Without an authorizer (the default, `authorizer = false`) everything
// is allowed, exactly as before ACLs existed.

import type { RequestContext } from '../../broker/handler.ts'
import { clusterResourceName, ResourceType } from './model.ts'

/** The peer's IP from "host:port" ("[::1]:5" and IPv4-mapped "::ffff:10.0.0.1:5" included). */
export function hostOf(clientAddress: string): string {
  const colon = clientAddress.lastIndexOf(':')
  let host = colon < 0 ? clientAddress : clientAddress.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host.toLowerCase().startsWith('::ffff:') && host.includes('.')) host = host.slice(7)
  return host
}

export function allows(
  context: RequestContext,
  operation: number,
  resourceType: number,
  resourceName: string,
): boolean {
  const authorizer = context.services.authorizer
  if (authorizer === undefined) return true
  return authorizer.authorize(
    context.principal,
    hostOf(context.clientAddress),
    operation,
    resourceType,
    resourceName,
  )
}

export function allowsOnCluster(context: RequestContext, operation: number): boolean {
  return allows(context, operation, ResourceType.CLUSTER, clusterResourceName)
}

/** Whether the principal may do `operation` on at least one resource of the type (Kafka's
 * authorizeByResourceType); everything is allowed when the authorizer is off. */
export function allowsOnAnyOfType(context: RequestContext, operation: number, resourceType: number): boolean {
  const authorizer = context.services.authorizer
  if (authorizer === undefined) return true
  return authorizer.authorizeByResourceType(
    context.principal,
    hostOf(context.clientAddress),
    operation,
    resourceType,
  )
}
