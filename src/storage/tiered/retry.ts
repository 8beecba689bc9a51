// Retries of remote operations: exponential backoff with full jitter (AWS's recommendation), capped,
// bounded in attempts. A missing object is not retried (it will not appear). Throttling answers
// (SlowDown, 503) are reported to `onThrottle` so the caller can reduce its concurrency.

import { setTimeout as sleep } from 'node:timers/promises'
import { RemoteObjectMissingError, RemoteStorageError } from './object-store.ts'

export interface RetryPolicy {
  attemptsMax: number
  backoffInitialMs: number
  backoffMaxMs: number
}

export const defaultRetryPolicy: RetryPolicy = { attemptsMax: 5, backoffInitialMs: 100, backoffMaxMs: 10_000 }

/** Delay before attempt `attempt` (1-based retries): random in [0, min(max, initial·2^attempt)). */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** attempt)
  return Math.floor(random() * ceiling)
}

export async function withRetries<T>(
  policy: RetryPolicy,
  operation: () => Promise<T>,
  hooks: { onThrottle?: () => void; signal?: AbortSignal } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation()
    } catch (error) {
      if (error instanceof RemoteObjectMissingError || attempt + 1 >= policy.attemptsMax) throw error
      if (hooks.signal?.aborted === true) throw error
      if (error instanceof RemoteStorageError && error.throttled) hooks.onThrottle?.()
      await sleep(backoffDelayMs(policy, attempt + 1))
    }
  }
}
