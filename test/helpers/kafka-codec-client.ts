// A minimal Kafka client built on the generated codecs (src/protocol/generated), for tests that must
// send a request no real client would send (a corrupted CRC, a chosen old version, an exact
// max_wait_ms) and read the exact error codes back. Real clients remain the judges of
// compatibility; this is for crafting requests and reading codes, never for "does it work with X".
//
// One request at a time per call, but calls may overlap: responses are matched by correlation id.
// Every wait is bounded.
import { apiDefinitions, type ApiKey, type ApiMessages } from '../../src/protocol/generated/index.ts'
import { encodeRequestHeaderV1, encodeRequestHeaderV2 } from '../../src/protocol/generated/request-header.ts'
import {
  decodeResponseHeaderV0,
  decodeResponseHeaderV1,
} from '../../src/protocol/generated/response-header.ts'
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/headers.ts'
import { Reader } from '../../src/protocol/reader.ts'
import { Writer } from '../../src/protocol/writer.ts'
import { RawConnection } from './raw-kafka.ts'

const defaultResponseTimeoutMs = 15_000

export type RequestOf<K extends ApiKey> = ApiMessages[K]['request']
export type ResponseOf<K extends ApiKey> = ApiMessages[K]['response']

/** A whole request frame (size prefix, header, body) for `apiKey` at `apiVersion`. */
export function encodeRequest<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: RequestOf<K>,
): Buffer {
  const definition = apiDefinitions[apiKey]
  const encode = definition.request.encoders[apiVersion]
  if (encode === undefined) throw new RangeError(`${definition.name} v${apiVersion} has no encoder`)
  const writer = new Writer()
  const header = { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'sl-test' }
  if (requestHeaderVersion(apiKey, apiVersion) === 2) encodeRequestHeaderV2(writer, header)
  else encodeRequestHeaderV1(writer, header)
  encode(writer, body)
  const message = writer.toBuffer()
  const frame = Buffer.alloc(4 + message.length)
  frame.writeInt32BE(message.length, 0)
  message.copy(frame, 4)
  return frame
}

/** Decodes a response frame (without its size prefix) and checks every byte was consumed. */
export function decodeResponse<K extends ApiKey>(apiKey: K, apiVersion: number, frame: Buffer): ResponseOf<K> {
  const definition = apiDefinitions[apiKey]
  const decode = definition.response.decoders[apiVersion]
  if (decode === undefined) throw new RangeError(`${definition.name} v${apiVersion} has no decoder`)
  const reader = new Reader(frame)
  if (responseHeaderVersion(apiKey, apiVersion) === 1) decodeResponseHeaderV1(reader)
  else decodeResponseHeaderV0(reader)
  const response = decode(reader) as ResponseOf<K>
  if (reader.remaining !== 0) {
    throw new RangeError(`${reader.remaining} bytes left after ${definition.name} response v${apiVersion}`)
  }
  return response
}

export class CodecClient {
  #nextCorrelationId = 1
  private constructor(readonly connection: RawConnection) {}

  static async open(host: string, port: number): Promise<CodecClient> {
    return new CodecClient(await RawConnection.open(host, port))
  }

  /** Sends a request and waits (bounded) for its response. */
  async request<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: RequestOf<K>,
    timeoutMs = defaultResponseTimeoutMs,
  ): Promise<ResponseOf<K>> {
    const correlationId = this.#nextCorrelationId++
    await this.connection.write(encodeRequest(apiKey, apiVersion, correlationId, body))
    return this.#awaitResponse(apiKey, apiVersion, correlationId, timeoutMs)
  }

  /** Sends pre-encoded bytes (a frame built by encodeRequest, then altered) and waits for the answer. */
  async requestRaw<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    correlationId: number,
    frame: Buffer,
    timeoutMs = defaultResponseTimeoutMs,
  ): Promise<ResponseOf<K>> {
    await this.connection.write(frame)
    return this.#awaitResponse(apiKey, apiVersion, correlationId, timeoutMs)
  }

  /** A correlation id not used by request(); for frames built with encodeRequest. */
  takeCorrelationId(): number {
    return this.#nextCorrelationId++
  }

  async #awaitResponse<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    correlationId: number,
    timeoutMs: number,
  ): Promise<ResponseOf<K>> {
    const find = () => this.connection.frames.findIndex((frame) => frame.correlationId === correlationId)
    await this.connection.waitFor(() => find() !== -1 || this.connection.closed, timeoutMs)
    const index = find()
    const name = apiDefinitions[apiKey].name
    if (index === -1) {
      const state = this.connection.closed ? 'the broker closed the connection' : `none within ${timeoutMs} ms`
      throw new Error(`no ${name} v${apiVersion} response (correlation id ${correlationId}): ${state}`)
    }
    const [frame] = this.connection.frames.splice(index, 1)
    // RawConnection strips the correlation id; put it back so the header decoder sees a whole header.
    const whole = Buffer.alloc(4 + frame.rest.length)
    whole.writeInt32BE(frame.correlationId, 0)
    frame.rest.copy(whole, 4)
    return decodeResponse(apiKey, apiVersion, whole)
  }

  close(): void {
    this.connection.destroy()
  }
}
