// HTTP basic auth on the registry port with the broker's SCRAM users (Confluent's
// authentication.method=BASIC). By default (AUTO) required as soon as the broker has a SCRAM user
// (checked per request, so users added with AlterUserScramCredentials count at once); with none, as on
// a default loopback broker, the port stays open. `registry_authentication_method` forces it: BASIC
// (required even with no users: every request is then refused) or NONE (open even with users). Writes (register, delete, PUT config or mode; not a lookup or a
// compatibility test) need a super user (`super.users`) or, with the authorizer on, an ACL allowing
// ALTER on the CLUSTER resource; with the authorizer off every authenticated user may write, as on
// the broker. Refusals: 401 `{"error_code":401,"message":"Unauthorized"}` with `WWW-Authenticate`;
// 403 `{"error_code":40301,…}` (Confluent's "user is denied operation" code).
// The console's pass-through (src/http/routes/services.ts) is vouched for by this process
// (security/internal-principal.ts): its logged-in principal is held to the same write rule.
// A verified user:password pair is remembered for a minute (a PBKDF2 run per request would cap the
// port at a few hundred requests per second); a changed password takes effect within that minute.

import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Authorizer } from '../security/acl/authorizer.ts'
import { AclOperation, clusterResourceName, ResourceType } from '../security/acl/model.ts'
import { vouchedPrincipal } from '../security/internal-principal.ts'
import type { SecurityServices } from '../security/session.ts'

/** Confluent's authentication.method, plus AUTO (ours, the default): BASIC once SCRAM users exist. */
export type RegistryAuthenticationMethod = 'AUTO' | 'BASIC' | 'NONE'

export interface AuthRefusal {
  status: 401 | 403
  body: { error_code: number; message: string }
  headers: Record<string, string>
}

const verifiedTtlMs = 60_000
const verifiedMax = 1_000
const realm = 'SchemaRegistry'

/** A lookup (POST /subjects/{s}) and compatibility tests read; every other POST, PUT and DELETE writes. */
function isWrite(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false
  if (method !== 'POST') return true
  if (path.startsWith('/compatibility/')) return false
  return !/^\/subjects\/[^/]+\/?$/.test(path)
}

function unauthorized(message: string): AuthRefusal {
  return {
    status: 401,
    body: { error_code: 401, message },
    headers: { 'www-authenticate': `Basic realm="${realm}"` },
  }
}

function denied(user: string): AuthRefusal {
  return {
    status: 403,
    body: { error_code: 40301, message: `User ${user} is denied operation Write on the schema registry` },
    headers: {},
  }
}

export class RegistryBasicAuth {
  private readonly security: SecurityServices | undefined
  private readonly authorizer: Authorizer | undefined
  /** sha256(user:password) → when the pair was verified. */
  private readonly verified = new Map<string, number>()

  private readonly method: RegistryAuthenticationMethod

  constructor(options: {
    security?: SecurityServices
    authorizer?: Authorizer
    method?: RegistryAuthenticationMethod
  }) {
    this.security = options.security
    this.authorizer = options.authorizer
    this.method = options.method ?? 'AUTO'
  }

  /** Whether requests must authenticate: BASIC always (no users: every request is refused), NONE
   * never, AUTO once the broker has at least one SCRAM user. */
  required(): boolean {
    if (this.method !== 'AUTO') return this.method === 'BASIC'
    const credentials = this.security?.credentials
    return credentials !== undefined && credentials.users().length > 0
  }

  /** Null when the request may go on; else the answer refusing it. Call when required(). */
  async check(request: IncomingMessage): Promise<AuthRefusal | null> {
    const method = request.method ?? 'GET'
    const path = new URL(request.url ?? '/', 'http://registry').pathname
    const vouched = vouchedPrincipal(request.headers)
    if (vouched !== undefined) {
      if (!isWrite(method, path) || this.mayWrite(vouched, request.socket.remoteAddress ?? '')) return null
      return denied(vouched.replace(/^User:/, ''))
    }
    const header = request.headers.authorization ?? ''
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
    if (match === null) return unauthorized('Unauthorized')
    const decoded = Buffer.from(match[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon <= 0) return unauthorized('Unauthorized')
    const user = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    if (!(await this.passwordMatches(user, password))) return unauthorized('Unauthorized')
    if (!isWrite(method, path) || this.mayWrite(`User:${user}`, request.socket.remoteAddress ?? ''))
      return null
    return denied(user)
  }

  private mayWrite(principal: string, host: string): boolean {
    if (this.authorizer === undefined) return true
    return this.authorizer.authorize(
      principal,
      host,
      AclOperation.ALTER,
      ResourceType.CLUSTER,
      clusterResourceName,
    )
  }

  private async passwordMatches(user: string, password: string): Promise<boolean> {
    const key = createHash('sha256').update(`${user}\u0000${password}`).digest('base64')
    const at = this.verified.get(key)
    const now = Date.now()
    if (at !== undefined && now - at < verifiedTtlMs) return true
    const credentials = this.security?.credentials
    if (credentials === undefined || !(await credentials.verifyPassword(user, password))) {
      this.verified.delete(key)
      return false
    }
    if (this.verified.size >= verifiedMax) this.verified.clear()
    this.verified.set(key, now)
    return true
  }
}
