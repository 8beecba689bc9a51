// Request and response header versions (Kafka's ApiKeys.requestHeaderVersion / responseHeaderVersion):
// flexible API versions use the flexible headers, with two exceptions fixed by the protocol.

import { ApiKey, apiDefinitions } from './generated/index.ts'
import {
  decodeRequestHeaderV0,
  decodeRequestHeaderV1,
  decodeRequestHeaderV2,
  type RequestHeader,
} from './generated/request-header.ts'
import { encodeResponseHeaderV0, encodeResponseHeaderV1 } from './generated/response-header.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export function isFlexibleVersion(apiKey: ApiKey, apiVersion: number): boolean {
  const flexibleMin = apiDefinitions[apiKey].flexibleMinVersion
  return flexibleMin !== null && apiVersion >= flexibleMin
}

export function requestHeaderVersion(apiKey: ApiKey, apiVersion: number): 0 | 1 | 2 {
  if (isFlexibleVersion(apiKey, apiVersion)) return 2
  // ControlledShutdown v0 predates the client id field.
  return apiKey === ApiKey.ControlledShutdown && apiVersion === 0 ? 0 : 1
}

export function responseHeaderVersion(apiKey: ApiKey, apiVersion: number): 0 | 1 {
  // ApiVersions responses always use header v0, so a client can read one whatever version it sent (KIP-511).
  if (apiKey === ApiKey.ApiVersions) return 0
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0
}

export function decodeRequestHeader(reader: Reader, headerVersion: 0 | 1 | 2): RequestHeader {
  if (headerVersion === 0) return decodeRequestHeaderV0(reader)
  return headerVersion === 1 ? decodeRequestHeaderV1(reader) : decodeRequestHeaderV2(reader)
}

export function encodeResponseHeader(writer: Writer, headerVersion: 0 | 1, correlationId: number): void {
  const header = { correlationId }
  if (headerVersion === 0) encodeResponseHeaderV0(writer, header)
  else encodeResponseHeaderV1(writer, header)
}

/** True when `apiKey` is a key of the spec (the tables are indexed by it). */
export function isKnownApiKey(apiKey: number): apiKey is ApiKey {
  return Object.hasOwn(apiDefinitions, apiKey)
}
