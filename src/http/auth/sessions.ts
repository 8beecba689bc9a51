// Console sessions: after a login with a broker user's SCRAM password, a random session id (the
// HttpOnly cookie) maps to the Kafka principal and a CSRF token (sent back by the console in a header on
// every state-changing request). Held in memory only: a restart logs everyone out. Bounded: at most
// `sessionsMax` sessions (the oldest is dropped), each ends after `idleMs` without use or `lifetimeMs`.

import { randomBytes, timingSafeEqual } from 'node:crypto'

export const sessionCookieName = 'streamline_session'
export const csrfHeaderName = 'x-csrf-token'

export interface Session {
  id: string
  principal: string
  csrfToken: string
  createdMs: number
  lastUsedMs: number
}

export interface SessionLimits {
  sessionsMax: number
  idleMs: number
  lifetimeMs: number
}

export const defaultSessionLimits: SessionLimits = {
  sessionsMax: 10_000,
  idleMs: 60 * 60 * 1000,
  lifetimeMs: 12 * 60 * 60 * 1000,
}

function token(): string {
  return randomBytes(32).toString('base64url')
}

export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export class SessionStore {
  // Insertion order is creation order: the first entry is the oldest.
  private readonly sessions = new Map<string, Session>()

  constructor(
    private readonly limits: SessionLimits = defaultSessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size
  }

  create(principal: string): Session {
    while (this.sessions.size >= this.limits.sessionsMax) {
      const oldest = this.sessions.keys().next().value
      if (oldest === undefined) break
      this.sessions.delete(oldest)
    }
    const nowMs = this.now()
    const session = { id: token(), principal, csrfToken: token(), createdMs: nowMs, lastUsedMs: nowMs }
    this.sessions.set(session.id, session)
    return session
  }

  /** The live session of this id (its idle time restarts), or null. */
  find(id: string | undefined): Session | null {
    if (id === undefined) return null
    const session = this.sessions.get(id)
    if (session === undefined) return null
    const nowMs = this.now()
    if (
      nowMs - session.lastUsedMs > this.limits.idleMs ||
      nowMs - session.createdMs > this.limits.lifetimeMs
    ) {
      this.sessions.delete(id)
      return null
    }
    session.lastUsedMs = nowMs
    return session
  }

  delete(id: string): void {
    this.sessions.delete(id)
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim()
  }
  return undefined
}
