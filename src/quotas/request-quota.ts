// One request as quotas see it: the router opens it before the handler runs and finishes it once the
// response is encoded; handlers of CreateTopics, CreatePartitions and DeleteTopics ask it before each
// mutation. The throttle time is the largest any quota earned (Kafka's max of the bandwidth, request
// and mutation throttles).

import { performance } from 'node:perf_hooks'
import { ApiKey, ErrorCode } from '../protocol/generated/index.ts'
import type { ClientQuotas } from './client-quotas.ts'
import type { QuotaClient } from './quota-resolution.ts'

/** Not counted against request_percentage: the handshake a client needs before anything else. */
const requestTimeExempt: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  // Their handlers wait for the rest of the group (up to a rebalance timeout): that is not work.
  ApiKey.JoinGroup,
  ApiKey.SyncGroup,
])

/** KIP-599: from these versions a mutation over quota fails with THROTTLING_QUOTA_EXCEEDED; before, it is
 * done and only throttled. */
const strictMutationFromVersion: ReadonlyMap<number, number> = new Map([
  [ApiKey.CreateTopics, 6],
  [ApiKey.DeleteTopics, 5],
  [ApiKey.CreatePartitions, 3],
])

/** What a refused mutation gets (KIP-599), with Kafka's message. */
export const throttlingQuotaExceeded = {
  errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
  errorMessage: 'The throttling quota has been exceeded.',
}

/** The principal's name, as Kafka's user quota entity names it (`User:alice` → `alice`). */
export function quotaUserOf(principal: string): string {
  const colon = principal.indexOf(':')
  return colon < 0 ? principal : principal.slice(colon + 1)
}

export class RequestQuota {
  private readonly quotas: ClientQuotas
  private readonly client: QuotaClient
  private readonly apiKey: number
  private readonly apiVersion: number
  private readonly startedMs = performance.now()
  private parkedMs = 0
  private mutationThrottleMs = 0

  constructor(
    quotas: ClientQuotas,
    request: { principal: string; clientId: string | null; apiKey: number; apiVersion: number },
  ) {
    this.quotas = quotas
    this.client = { user: quotaUserOf(request.principal), clientId: request.clientId ?? '' }
    this.apiKey = request.apiKey
    this.apiVersion = request.apiVersion
  }

  /** Time the handler spent waiting for something else (a Fetch long-poll): not request time. */
  parked(ms: number): void {
    this.parkedMs += ms
  }

  /**
   * Before creating or deleting `partitions` partitions: false when the client is over its controller
   * mutation quota and this version must refuse (THROTTLING_QUOTA_EXCEEDED). Otherwise the partitions
   * are counted (a burst may drive the bucket below zero; the next mutation then waits).
   */
  mayMutate(partitions: number): boolean {
    const nowMs = Date.now()
    const found = this.quotas.mutationBucket(this.client, nowMs)
    if (found === undefined) return true
    const strictFrom = strictMutationFromVersion.get(this.apiKey)
    const strict = strictFrom !== undefined && this.apiVersion >= strictFrom
    const before = found.bucket.throttleMs(nowMs)
    if (strict && before > 0) {
      this.noteMutationThrottle(before, found.quota)
      return false
    }
    found.bucket.take(partitions, nowMs)
    this.noteMutationThrottle(found.bucket.throttleMs(nowMs), found.quota)
    return true
  }

  private noteMutationThrottle(
    throttleMs: number,
    quota: Parameters<ClientQuotas['reportThrottle']>[2],
  ): void {
    const bounded = Math.min(throttleMs, this.quotas.throttleMsMax)
    if (bounded <= this.mutationThrottleMs) return
    this.mutationThrottleMs = bounded
    this.quotas.reportThrottle('controller_mutation_rate', bounded, quota)
  }

  /** Records the request's usage; returns how long the client is throttled (ms, 0 for none). */
  finish(sizes: { requestBytes: number; responseBytes: number }): number {
    const nowMs = Date.now()
    let throttleMs = this.mutationThrottleMs
    if (this.apiKey === ApiKey.Produce) {
      throttleMs = Math.max(
        throttleMs,
        this.quotas.record('producer_byte_rate', this.client, sizes.requestBytes, nowMs),
      )
    } else if (this.apiKey === ApiKey.Fetch) {
      throttleMs = Math.max(
        throttleMs,
        this.quotas.record('consumer_byte_rate', this.client, sizes.responseBytes, nowMs),
      )
    }
    if (!requestTimeExempt.has(this.apiKey)) {
      const busyMs = Math.max(0, performance.now() - this.startedMs - this.parkedMs)
      // Kafka records request time as a percentage of one second: 10 ms busy is 1 (% · s).
      throttleMs = Math.max(
        throttleMs,
        this.quotas.record('request_percentage', this.client, busyMs / 10, nowMs),
      )
    }
    return Math.round(throttleMs)
  }
}
