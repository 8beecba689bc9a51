// A principal vouched for inside this process. The admin HTTP port passes the console's logged-in
// principal on to the schema registry's port (both served by this process, over loopback) with a
// secret made at start and never written anywhere: the registry then applies its rules to that
// principal instead of asking for a password the console no longer has (it verified it at login and
// kept only a session). A request from outside cannot know the secret, so the header alone is ignored.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

const secret = Buffer.from(randomBytes(32).toString('base64url'))

const principalHeader = 'x-streamline-principal'
const secretHeader = 'x-streamline-internal'

/** Headers that vouch for `principal` (`User:alice`) to another service of this process. */
export function internalPrincipalHeaders(principal: string): Record<string, string> {
  return { [principalHeader]: principal, [secretHeader]: secret.toString() }
}

/** The principal this process vouched for, or undefined (no header, or not this process's secret). */
export function vouchedPrincipal(headers: IncomingHttpHeaders): string | undefined {
  const given = headers[secretHeader]
  const principal = headers[principalHeader]
  if (typeof given !== 'string' || typeof principal !== 'string') return undefined
  const bytes = Buffer.from(given)
  if (bytes.length !== secret.length || !timingSafeEqual(bytes, secret)) return undefined
  return principal
}
