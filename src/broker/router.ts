// The router: one request frame in, one response (or none) out. It reads the header, finds the
// handler, decodes the body with the generated codec of that version, calls the handler and
// encodes its answer. It is the only place that catches what a request throws: a frame it cannot
// read (bad header, unknown key, unsupported version, undecodable body) rejects with an error that
// makes the connection close; handler failures are logged and close the connection too, since no
// generic error response exists for every API.

import { DecodeError } from '../errors.ts'
import { discardDeferredWithin } from '../protocol/deferred-bytes.ts'
import { encodeApiVersionsResponseV0 } from '../protocol/generated/api-versions-response.ts'
import {
  type ApiCodecs,
  ApiKey,
  apiDefinitions,
  ErrorCode,
  loadApiCodecs,
} from '../protocol/generated/index.ts'
import {
  decodeRequestHeader,
  encodeResponseHeader,
  isKnownApiKey,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../protocol/headers.ts'
import { Reader } from '../protocol/reader.ts'
import { Writer } from '../protocol/writer.ts'
import { RequestQuota } from '../quotas/request-quota.ts'
import { anonymousPrincipal } from '../security/principal.ts'
import type { ConnectionSession } from '../security/session.ts'
import type { RequestTracing } from '../telemetry/request-tracing.ts'
import { type AnyHandler, type BrokerServices, noResponse, type RequestContext } from './handler.ts'

/** The fixed start of every request header: api key, api version, correlation id. */
const headerPrefixBytes = 8

export interface ConnectionInfo {
  clientAddress: string
  /** Authentication state; absent: an unauthenticated PLAINTEXT connection (ANONYMOUS). */
  session?: ConnectionSession
  /** The services as seen through this connection's listener (its advertised address). */
  services?: BrokerServices
  /** Stops reading from the connection for this long: a client over its quota (KIP-219). */
  mute?: (throttleMs: number) => void
}

/** A response ready to be written: size prefix included, large byte fields not copied. `closeAfter`:
 * the connection closes once it is written (the request's handler set `closeAfterResponse`). */
export type ResponseChunks = Buffer[] & { closeAfter?: boolean }

export class Router {
  private readonly handlers = new Map<number, AnyHandler>()
  private readonly loadedCodecs = new Map<number, ApiCodecs>()
  /** The broker's services (listeners read the shared connection limiter from here). */
  readonly services: BrokerServices

  constructor(handlers: readonly AnyHandler[], services: BrokerServices) {
    for (const handler of handlers) this.handlers.set(handler.apiKey, handler)
    this.services = services
  }

  /** Handles one frame. Resolves to the response to send, or null when the request gets none. */
  async route(frame: Buffer, connection: ConnectionInfo): Promise<ResponseChunks | null> {
    const session = connection.session
    // After SaslHandshake v0 the frames are raw SASL tokens, not requests (src/security/session.ts).
    if (session?.legacyUnframed === true) return session.legacyToken(frame)
    if (frame.length < headerPrefixBytes) {
      throw new DecodeError(`request of ${frame.length} bytes is shorter than a header`, 0, 'RequestHeader')
    }
    const apiKey = frame.readInt16BE(0)
    const apiVersion = frame.readInt16BE(2)
    const correlationId = frame.readInt32BE(4)
    session?.checkRequestAllowed(apiKey)
    const handler = this.handlers.get(apiKey)
    if (handler === undefined || !isKnownApiKey(apiKey)) {
      throw new DecodeError(`unsupported api key ${apiKey}`, 0, 'RequestHeader.requestApiKey')
    }
    if (apiVersion < handler.versions.min || apiVersion > handler.versions.max) {
      if (apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(correlationId)
      throw new DecodeError(
        `unsupported version ${apiVersion} of ${apiDefinitions[apiKey].name}`,
        2,
        'RequestHeader.requestApiVersion',
      )
    }
    const reader = new Reader(frame)
    const header = decodeRequestHeader(reader, requestHeaderVersion(apiKey, apiVersion))
    const codecs = this.loadedCodecs.get(apiKey) ?? (await this.codecsOf(apiKey))
    const decode = codecs.request.decoders[apiVersion]
    if (decode === undefined)
      throw new DecodeError(`no decoder for version ${apiVersion}`, 2, 'RequestHeader')
    const request = decode(reader)
    const principal = session?.principal ?? anonymousPrincipal
    const quotas = this.services.quotas?.enforcement
    const quota =
      quotas === undefined || !quotas.active
        ? undefined
        : new RequestQuota(quotas, { principal, clientId: header.clientId, apiKey, apiVersion })
    const context: RequestContext = {
      services: connection.services ?? this.services,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      clientAddress: connection.clientAddress,
      principal,
      session,
      quota,
      streamsRecords: true,
    }
    // The registry pairs each key with its own handler, so the request type matches.
    const handle = handler.handle as (context: RequestContext, request: unknown) => Promise<unknown>
    const tracing = this.services.tracing
    const response =
      tracing === undefined
        ? await handle(context, request)
        : await handleTraced(tracing, { apiKey, apiVersion, request, context }, handle)
    this.services.metrics?.countResponseErrors(apiDefinitions[apiKey].name, response)
    const requestBytes = frame.length + 4
    if (response === noResponse) {
      throttle(connection, quota?.finish({ requestBytes, responseBytes: 0 }) ?? 0)
      return null
    }
    const encode = codecs.response.encoders[apiVersion] as
      | ((writer: Writer, value: unknown) => void)
      | undefined
    if (encode === undefined)
      throw new DecodeError(`no encoder for version ${apiVersion}`, 2, 'RequestHeader')
    const encodeResponse = (body: unknown): Writer => {
      const writer = new Writer()
      encodeResponseHeader(writer, responseHeaderVersion(apiKey, apiVersion), correlationId)
      encode(writer, body)
      return writer
    }
    let writer: Writer
    let throttleMs: number
    try {
      writer = encodeResponse(response)
      throttleMs = quota?.finish({ requestBytes, responseBytes: writer.length + 4 }) ?? 0
      // KIP-219: the response says how long the client is throttled, and the connection is muted as long.
      const throttled = throttleMs > 0 ? withThrottleTime(response, throttleMs) : undefined
      if (throttled !== undefined) writer = encodeResponse(throttled)
    } catch (error) {
      // A response that cannot be encoded is never written: its streamed records (Fetch slices that
      // retain a segment) are released here, or the segments would stay open.
      discardDeferredWithin(response)
      throw error
    }
    throttle(connection, throttleMs)
    const chunks: ResponseChunks = withSizePrefix(writer)
    // Marked on this response itself: a flag on the connection would close after whichever response
    // is written next, possibly one of a request pipelined before this one.
    if (context.closeAfterResponse === true) chunks.closeAfter = true
    return chunks
  }

  /** The codecs of one API, loaded on its first request (start-up does not pay for all of them). */
  private async codecsOf(apiKey: ApiKey): Promise<ApiCodecs> {
    const codecs = await loadApiCodecs(apiKey)
    this.loadedCodecs.set(apiKey, codecs as ApiCodecs)
    return codecs as ApiCodecs
  }

  /** Loads the codecs of every served API (after start-up, so first requests need not wait). */
  async warmUp(): Promise<void> {
    for (const apiKey of this.handlers.keys()) if (isKnownApiKey(apiKey)) await this.codecsOf(apiKey)
  }

  /** KIP-511: an ApiVersions request of a version we do not know gets a v0 answer with our list. */
  private unsupportedApiVersions(correlationId: number): ResponseChunks {
    const writer = new Writer()
    encodeResponseHeader(writer, 0, correlationId)
    encodeApiVersionsResponseV0(writer, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.services.supportedApis.map((api) => ({ ...api })),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    })
    return withSizePrefix(writer)
  }
}

/** Calls the handler inside a request span (tracing on: `--otel-enabled`). */
async function handleTraced(
  tracing: RequestTracing,
  call: { apiKey: ApiKey; apiVersion: number; request: unknown; context: RequestContext },
  handle: (context: RequestContext, request: unknown) => Promise<unknown>,
): Promise<unknown> {
  const { context } = call
  const span = await tracing.start({
    apiKey: call.apiKey,
    apiVersion: call.apiVersion,
    clientId: context.clientId,
    principal: context.principal,
    clientAddress: context.clientAddress,
    request: call.request,
  })
  try {
    const response = await handle(context, call.request)
    span?.end({ response: response === noResponse ? undefined : response })
    return response
  } catch (error) {
    span?.end({ error })
    throw error
  }
}

/** A copy of the response with throttle_time_ms raised to `throttleMs` (a handler may return a shared
 * object); undefined when it has no such field or already says as much. */
function withThrottleTime(response: unknown, throttleMs: number): object | undefined {
  if (typeof response !== 'object' || response === null || !('throttleTimeMs' in response)) return undefined
  if ((response as { throttleTimeMs: number }).throttleTimeMs >= throttleMs) return undefined
  return { ...response, throttleTimeMs: throttleMs }
}

function throttle(connection: ConnectionInfo, throttleMs: number): void {
  if (throttleMs > 0) connection.mute?.(throttleMs)
}

function withSizePrefix(writer: Writer): ResponseChunks {
  const body = writer.toChunks()
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(writer.length)
  return [prefix, ...body]
}
