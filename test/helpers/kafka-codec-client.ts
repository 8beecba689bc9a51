// A minimal Kafka client built on the generated codecs (src/protocol/generated), for tests that must
// send a request no real client would send (a corrupted CRC, a chosen old version, an exact
// max_wait_ms) and read the exact error codes back. Real clients remain the judges of
// compatibility; this is for crafting requests and reading codes, never for "does it work with X".
//
// One request at a time per call, but calls may overlap: responses are matched by correlation id.
// Every wait is bounded.
import { apiCodecs } from '../../src/protocol/generated/api-codecs.ts'
import {
  createDefaultCreatableTopic,
  createDefaultCreateTopicsRequest,
} from '../../src/protocol/generated/create-topics-request.ts'
import {
  createDefaultDeleteTopicState,
  createDefaultDeleteTopicsRequest,
} from '../../src/protocol/generated/delete-topics-request.ts'
import {
  createDefaultFetchPartition,
  createDefaultFetchRequest,
  createDefaultFetchTopic,
} from '../../src/protocol/generated/fetch-request.ts'
import { type ApiKey, type ApiMessages, apiDefinitions } from '../../src/protocol/generated/index.ts'
import {
  createDefaultListOffsetsPartition,
  createDefaultListOffsetsRequest,
  createDefaultListOffsetsTopic,
} from '../../src/protocol/generated/list-offsets-request.ts'
import {
  createDefaultMetadataRequest,
  createDefaultMetadataRequestTopic,
} from '../../src/protocol/generated/metadata-request.ts'
import { createDefaultProduceRequest } from '../../src/protocol/generated/produce-request.ts'
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
  const encode = apiCodecs[apiKey].request.encoders[apiVersion]
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
export function decodeResponse<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): ResponseOf<K> {
  const definition = apiDefinitions[apiKey]
  const decode = apiCodecs[apiKey].response.decoders[apiVersion]
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

  /** Waits (bounded) for the response to a frame sent with connection.write (pipelining tests). */
  awaitResponse<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    correlationId: number,
    timeoutMs = defaultResponseTimeoutMs,
  ): Promise<ResponseOf<K>> {
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
      const state = this.connection.closed
        ? 'the broker closed the connection'
        : `none within ${timeoutMs} ms`
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

// ---------------------------------------------------------------- request builders
// Defaults come from the generated createDefault* functions; only what the tests vary is a parameter.

/** Metadata for the named topics (null: all topics). */
export function metadataRequestBody(names: string[] | null, allowAutoTopicCreation: boolean): RequestOf<3> {
  return {
    ...createDefaultMetadataRequest(),
    topics: names === null ? null : names.map((name) => ({ ...createDefaultMetadataRequestTopic(), name })),
    allowAutoTopicCreation,
  }
}

/** Produce one record set (a v2 batch or a v0/v1 message set) to one partition. */
export function produceRequestBody(
  topic: string,
  partition: number,
  records: Buffer,
  options: { acks?: number; timeoutMs?: number } = {},
): RequestOf<0> {
  return {
    ...createDefaultProduceRequest(),
    acks: options.acks ?? -1,
    timeoutMs: options.timeoutMs ?? 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  }
}

export interface FetchBodyOptions {
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  partitionMaxBytes?: number
  /** Needed from Fetch v13 (topics by id). */
  topicId?: string
}

/** A sessionless Fetch of one partition. */
export function fetchRequestBody(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  options: FetchBodyOptions = {},
): RequestOf<1> {
  return {
    ...createDefaultFetchRequest(),
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 100,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        ...createDefaultFetchTopic(),
        topic,
        topicId: options.topicId ?? createDefaultFetchTopic().topicId,
        partitions: [
          {
            ...createDefaultFetchPartition(),
            partition,
            fetchOffset,
            partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
          },
        ],
      },
    ],
  }
}

export interface TopicToCreate {
  name: string
  numPartitions?: number
  replicationFactor?: number
  configs?: Record<string, string>
}

export function createTopicsRequestBody(topics: TopicToCreate[], validateOnly = false): RequestOf<19> {
  return {
    ...createDefaultCreateTopicsRequest(),
    timeoutMs: 10_000,
    validateOnly,
    topics: topics.map((topic) => ({
      ...createDefaultCreatableTopic(),
      name: topic.name,
      numPartitions: topic.numPartitions ?? 1,
      replicationFactor: topic.replicationFactor ?? 1,
      assignments: [],
      configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  }
}

/** DeleteTopics by name (v0-v5 use topicNames, v6 uses topics). */
export function deleteTopicsRequestBody(names: string[]): RequestOf<20> {
  return {
    ...createDefaultDeleteTopicsRequest(),
    timeoutMs: 10_000,
    topicNames: names,
    topics: names.map((name) => ({ ...createDefaultDeleteTopicState(), name })),
  }
}

/** ListOffsets for one partition at `timestamp` (-2 earliest, -1 latest). */
export function listOffsetsRequestBody(topic: string, partition: number, timestamp: bigint): RequestOf<2> {
  return {
    ...createDefaultListOffsetsRequest(),
    replicaId: -1,
    topics: [
      {
        ...createDefaultListOffsetsTopic(),
        name: topic,
        partitions: [{ ...createDefaultListOffsetsPartition(), partitionIndex: partition, timestamp }],
      },
    ],
  }
}
