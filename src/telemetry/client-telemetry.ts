// The broker side of KIP-714 (Kafka's ClientMetricsManager): a cache of client instances, each with
// the subscriptions that match it, and the checks GetTelemetrySubscriptions and PushTelemetry make,
// with Kafka's rules and error codes:
//  - Get with a zero client instance id gets a new id; the answer carries the requested metric
//    prefixes of every matching subscription ([""] when one asks for `*`), the lowest interval of them
//    (5 min when none matches), the accepted compression types and `telemetry.max.bytes`. Another Get
//    before the push interval has passed: THROTTLING_QUOTA_EXCEEDED (unless the last push was refused
//    for an unknown subscription id or compression type, after which the client must re-fetch).
//  - Push: zero id INVALID_REQUEST; after a terminating push INVALID_REQUEST; before the interval
//    (except the first push after a Get, which clients jitter) THROTTLING_QUOTA_EXCEEDED; a stale
//    subscription id UNKNOWN_SUBSCRIPTION_ID; an unaccepted codec UNSUPPORTED_COMPRESSION_TYPE; more
//    than telemetry.max.bytes TELEMETRY_TOO_LARGE; a payload that does not decompress or decode as
//    OTLP INVALID_RECORD. Accepted metrics go to the sink (/metrics and the OTLP forwarder).
// Subscriptions changing (the store's epoch) give each instance a new subscription id on its next
// request, so clients re-fetch. Instances are bounded (clientInstancesMax, least recently seen out).

import { randomUUID } from 'node:crypto'
import { StreamlineError } from '../errors.ts'
import { ZERO_UUID } from '../protocol/codec-helpers.ts'
import type { GetTelemetrySubscriptionsResponse } from '../protocol/generated/get-telemetry-subscriptions-response.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import type { PushTelemetryRequest } from '../protocol/generated/push-telemetry-request.ts'
import { CompressionCodec, decompress } from '../protocol/records/compression/index.ts'
import { crc32c } from '../protocol/records/crc32c.ts'
import {
  allMetrics,
  type ClientProperties,
  defaultPushIntervalMs,
  subscriptionMatches,
} from './client-metrics-config.ts'
import type { ClientMetricsStore } from './client-metrics-store.ts'
import { type DecodedMetricsData, decodeMetricsData } from './otlp-metrics.ts'

/** Kafka's order of preference (ClientTelemetryUtils). */
export const acceptedCompressionTypes = [
  CompressionCodec.zstd,
  CompressionCodec.lz4,
  CompressionCodec.gzip,
  CompressionCodec.snappy,
]
/** Kafka's `telemetry.max.bytes` default. */
export const telemetryMaxBytesDefault = 1024 * 1024
/** Kafka's client instance cache size (ClientMetricsManager CACHE_MAX_SIZE). */
export const clientInstancesMax = 16_384

/** One client instance's telemetry as the sink receives it. */
export interface ClientMetricsPush {
  clientInstanceId: string
  client: ClientProperties
  /** The uncompressed OTLP MetricsData bytes, as the client encoded them. */
  payload: Buffer
  decoded: DecodedMetricsData
  terminating: boolean
}

export interface ClientMetricsSink {
  accept(push: ClientMetricsPush): void
  /** The instance left (terminating push or evicted from the cache): drop what is kept of it. */
  forget(clientInstanceId: string): void
}

interface ClientInstance {
  id: string
  storeEpoch: number
  subscriptionId: number
  metrics: string[]
  pushIntervalMs: number
  lastGetMs: number
  lastPushMs: number
  /** A Get was answered and no push has come since: that push may come early (clients jitter it). */
  awaitingFirstPush: boolean
  terminating: boolean
  lastKnownError: number
}

export class ClientTelemetry {
  private readonly instances = new Map<string, ClientInstance>()
  private readonly store: ClientMetricsStore
  private readonly sink: ClientMetricsSink
  readonly telemetryMaxBytes: number

  constructor(options: { store: ClientMetricsStore; sink: ClientMetricsSink; telemetryMaxBytes?: number }) {
    this.store = options.store
    this.sink = options.sink
    this.telemetryMaxBytes = options.telemetryMaxBytes ?? telemetryMaxBytesDefault
  }

  getSubscriptions(
    requestedId: string,
    client: Omit<ClientProperties, 'client_instance_id'>,
    nowMs: number,
  ): GetTelemetrySubscriptionsResponse {
    const id = requestedId === ZERO_UUID ? randomUUID() : requestedId
    const instance = this.instanceOf(id, { ...client, client_instance_id: id })
    const answer = (errorCode: number): GetTelemetrySubscriptionsResponse => ({
      throttleTimeMs: 0,
      errorCode,
      clientInstanceId: id,
      subscriptionId: instance.subscriptionId,
      acceptedCompressionTypes: [...acceptedCompressionTypes],
      pushIntervalMs: instance.pushIntervalMs,
      telemetryMaxBytes: this.telemetryMaxBytes,
      deltaTemporality: true,
      requestedMetrics: [...instance.metrics],
    })
    const mayRefetch =
      instance.lastKnownError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID ||
      instance.lastKnownError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE
    if (nowMs - Math.max(instance.lastGetMs, instance.lastPushMs) >= instance.pushIntervalMs || mayRefetch) {
      instance.lastGetMs = nowMs
      instance.awaitingFirstPush = true
      instance.lastKnownError = ErrorCode.NONE
      return answer(ErrorCode.NONE)
    }
    return answer(ErrorCode.THROTTLING_QUOTA_EXCEEDED)
  }

  /** Checks and accepts one push; resolves to its error code. */
  async push(
    request: PushTelemetryRequest,
    client: Omit<ClientProperties, 'client_instance_id'>,
    nowMs: number,
  ): Promise<number> {
    if (request.clientInstanceId === ZERO_UUID) return ErrorCode.INVALID_REQUEST
    const properties = { ...client, client_instance_id: request.clientInstanceId }
    const instance = this.instanceOf(request.clientInstanceId, properties)
    const errorCode = this.pushRefusal(instance, request, nowMs)
    instance.lastKnownError = errorCode
    if (errorCode !== ErrorCode.NONE) return errorCode
    if (request.terminating) instance.terminating = true
    try {
      const payload =
        request.compressionType === CompressionCodec.none
          ? request.metrics
          : await decompress(request.compressionType as CompressionCodec, request.metrics, {
              decompressedBytesMax: 16 * this.telemetryMaxBytes,
            })
      const decoded = decodeMetricsData(payload)
      this.sink.accept({
        clientInstanceId: instance.id,
        client: properties,
        payload,
        decoded,
        terminating: request.terminating,
      })
    } catch (error) {
      // Whatever fails to decompress or decode is the client's payload (KIP-714: INVALID_RECORD);
      // anything else is a programmer error and goes to the router.
      if (!(error instanceof StreamlineError)) throw error
      instance.lastKnownError = ErrorCode.INVALID_RECORD
      return ErrorCode.INVALID_RECORD
    } finally {
      if (request.terminating) this.sink.forget(instance.id)
    }
    return ErrorCode.NONE
  }

  private pushRefusal(instance: ClientInstance, request: PushTelemetryRequest, nowMs: number): number {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST
    if (!request.terminating) {
      // The first push after a Get is accepted early: clients jitter it (0.5 to 1.5 intervals). A flag,
      // not a timestamp comparison: a refused push and the re-fetch can share a millisecond.
      const elapsed = nowMs - Math.max(instance.lastGetMs, instance.lastPushMs)
      if (!instance.awaitingFirstPush && elapsed < instance.pushIntervalMs)
        return ErrorCode.THROTTLING_QUOTA_EXCEEDED
      instance.lastPushMs = nowMs
      instance.awaitingFirstPush = false
    }
    if (request.subscriptionId !== instance.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID
    if (
      !(acceptedCompressionTypes as number[]).includes(request.compressionType) &&
      request.compressionType !== 0
    )
      return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE
    if (request.metrics.length > this.telemetryMaxBytes) return ErrorCode.TELEMETRY_TOO_LARGE
    return ErrorCode.NONE
  }

  /** The cached instance, its subscriptions recomputed when the store changed; created if unknown. */
  private instanceOf(id: string, client: ClientProperties): ClientInstance {
    let instance = this.instances.get(id)
    if (instance !== undefined) this.instances.delete(id)
    if (instance === undefined || instance.storeEpoch !== this.store.epoch) {
      instance = { ...this.subscribe(id, client), ...timestampsOf(instance) }
    }
    this.instances.set(id, instance)
    if (this.instances.size > clientInstancesMax) {
      const oldest = this.instances.keys().next().value
      if (oldest !== undefined) {
        this.instances.delete(oldest)
        this.sink.forget(oldest)
      }
    }
    return instance
  }

  private subscribe(id: string, client: ClientProperties): Omit<ClientInstance, keyof Timestamps> {
    const matching = this.store
      .subscriptions()
      .filter((subscription) => subscriptionMatches(subscription, client))
    const prefixes = new Set(matching.flatMap((subscription) => subscription.metrics))
    const metrics = prefixes.has(allMetrics) ? [''] : [...prefixes].sort()
    const pushIntervalMs =
      matching.length === 0
        ? defaultPushIntervalMs
        : Math.min(...matching.map((subscription) => subscription.intervalMs))
    // Kafka's computeSubscriptionId: a CRC of the metrics, the interval and the instance id.
    const subscriptionId = crc32c(Buffer.from(`${metrics.join(',')}|${pushIntervalMs}|${id}`)) | 0
    return { id, storeEpoch: this.store.epoch, subscriptionId, metrics, pushIntervalMs }
  }
}

type Timestamps = Pick<
  ClientInstance,
  'lastGetMs' | 'lastPushMs' | 'awaitingFirstPush' | 'terminating' | 'lastKnownError'
>

function timestampsOf(previous: ClientInstance | undefined): Timestamps {
  return {
    lastGetMs: previous?.lastGetMs ?? 0,
    lastPushMs: previous?.lastPushMs ?? 0,
    awaitingFirstPush: previous?.awaitingFirstPush ?? false,
    terminating: previous?.terminating ?? false,
    lastKnownError: previous?.lastKnownError ?? ErrorCode.NONE,
  }
}
