// Which quota applies to a request: Kafka's precedence (DefaultQuotaCallback), per quota key, the
// first entity in this order that has a value for the key:
//   user+client-id, user+default client-id, user, default user+client-id,
//   default user+default client-id, default user, client-id, default client-id.
// The level that matched also says whose usage counts against the quota (Kafka's metric tags): a
// quota on a user (or the default user) is shared by all of that user's clients; one on a client id
// (or the default client id) by every connection with that client id; a user+client-id quota by that
// pair. A default entity is a quota per user (or client id), never one shared by all of them.

import { createHash } from 'node:crypto'
import type { QuotaEntity } from './quota-entity.ts'
import type { QuotaKey, QuotaValues } from './quota-keys.ts'

export interface QuotaLookup {
  valuesOf(entity: QuotaEntity): QuotaValues | undefined
  /** Entities with quotas: none means nothing to resolve (the common case, kept cheap). */
  readonly size: number
}

/** Who sent a request, as quotas see it: the principal's name (`alice`, `ANONYMOUS`) and client id. */
export interface QuotaClient {
  user: string
  clientId: string
}

export interface ResolvedQuota {
  /** The bound, in the key's unit per second. */
  bound: number
  /** The usage this quota is measured on: requests with the same key share one rate. */
  usageKey: string
  /** For metrics: the user and client id of that usage ('' where the level has none). */
  user: string
  clientId: string
}

type Level = { entity: (client: QuotaClient) => QuotaEntity; byUser: boolean; byClientId: boolean }

const levels: readonly Level[] = [
  { entity: ({ user, clientId }) => ({ user, clientId }), byUser: true, byClientId: true },
  { entity: ({ user }) => ({ user, clientId: null }), byUser: true, byClientId: true },
  { entity: ({ user }) => ({ user }), byUser: true, byClientId: false },
  { entity: ({ clientId }) => ({ user: null, clientId }), byUser: true, byClientId: true },
  { entity: () => ({ user: null, clientId: null }), byUser: true, byClientId: true },
  { entity: () => ({ user: null }), byUser: true, byClientId: false },
  { entity: ({ clientId }) => ({ clientId }), byUser: false, byClientId: true },
  { entity: () => ({ clientId: null }), byUser: false, byClientId: true },
]

/** Usage keys are held per client (up to quotaUsagesMax): a long client id is kept as its digest. */
function usageKeyOf(key: QuotaKey, user: string, clientId: string): string {
  const text = JSON.stringify([key, user, clientId])
  return text.length <= usageKeyCharsMax ? text : createHash('sha256').update(text).digest('base64')
}

const usageKeyCharsMax = 256

export function resolveQuota(
  store: QuotaLookup,
  key: QuotaKey,
  client: QuotaClient,
): ResolvedQuota | undefined {
  for (const level of levels) {
    const bound = store.valuesOf(level.entity(client))?.[key]
    if (bound === undefined) continue
    const user = level.byUser ? client.user : ''
    const clientId = level.byClientId ? client.clientId : ''
    return { bound, usageKey: usageKeyOf(key, user, clientId), user, clientId }
  }
  return undefined
}
