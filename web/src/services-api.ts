// The platform's other services as the console calls them: the schema registry and Connect through the
// admin port's pass-through (/api/v1/registry/…, /api/v1/connect/…: their own REST APIs, unchanged),
// SQL through POST /api/v1/query, and their health through GET /api/v1/services.

import { call, enc, query } from './api.ts'

export interface ServiceState {
  enabled: boolean
  status: 'up' | 'down' | 'disabled'
  url: string | null
  latencyMs: number | null
}

export interface Services {
  registry: ServiceState
  connect: ServiceState
  sql: ServiceState
}

export interface SchemaReference {
  name: string
  subject: string
  version: number
}

export interface SchemaVersion {
  subject: string
  version: number
  id: number
  schemaType?: string
  schema: string
  references?: SchemaReference[]
}

export interface CandidateSchema {
  schema: string
  schemaType?: string
  references?: SchemaReference[]
}

export interface ConnectorState {
  state: string
  worker_id: string
  trace?: string
}

export interface ConnectorStatus {
  name: string
  connector: ConnectorState
  tasks: Array<ConnectorState & { id: number }>
  type: string
}

export interface ConnectorInfo {
  name: string
  config: Record<string, string>
  tasks: Array<{ connector: string; task: number }>
  type: string
}

/** One key of a plugin's ConfigDef, as Connect's ConfigKeyInfo. */
export interface ConfigKeyInfo {
  name: string
  type: string
  required: boolean
  default_value: string | null
  importance: string
  documentation: string
  group: string | null
  order: number
  display_name: string
  dependents: string[]
}

/** A key's value as Connect validated it (ConfigValueInfo). */
export interface ConfigValueInfo {
  name: string
  value: string | null
  recommended_values: string[]
  errors: string[]
  visible: boolean
}

/** The answer of PUT /connector-plugins/{plugin}/config/validate (Connect's ConfigInfos). */
export interface ConfigInfos {
  name: string
  error_count: number
  groups: string[]
  configs: Array<{ definition: ConfigKeyInfo; value: ConfigValueInfo }>
}

/** A connector's offsets (KIP-875): source partitions and offsets as the connector wrote them; a
 * sink's are `{kafka_topic, kafka_partition}` → `{kafka_offset}`. */
export interface ConnectorOffset {
  partition: Record<string, unknown>
  offset: Record<string, unknown> | null
}

export interface QueryResult {
  columns: Array<{ name: string; type: string }>
  rows: unknown[][]
  rowCount: number
  truncated: boolean
  elapsedMs: number
  stats?: { bytesRead?: number; recordsScanned?: number }
  written?: { topic: string; records: number }
}

const registry = '/api/v1/registry'
const connect = '/api/v1/connect'

/** A registry body: Avro is the registry's default type and is not sent. */
function candidateBody(candidate: CandidateSchema): CandidateSchema {
  return {
    schema: candidate.schema,
    ...(candidate.schemaType === undefined || candidate.schemaType === 'AVRO'
      ? {}
      : { schemaType: candidate.schemaType }),
    ...(candidate.references === undefined || candidate.references.length === 0
      ? {}
      : { references: candidate.references }),
  }
}

export const servicesApi = {
  services: () => call<Services>('GET', '/api/v1/services'),

  subjects: (deleted = false) =>
    call<string[]>('GET', `${registry}/subjects${query({ deleted: deleted ? 'true' : undefined })}`),
  /** With `deleted`, soft-deleted versions too (they can then be deleted permanently). */
  versions: (subject: string, deleted = false) =>
    call<number[]>(
      'GET',
      `${registry}/subjects/${enc(subject)}/versions${query({ deleted: deleted ? 'true' : undefined })}`,
    ),
  version: (subject: string, version: number | 'latest', deleted = false) =>
    call<SchemaVersion>(
      'GET',
      `${registry}/subjects/${enc(subject)}/versions/${version}${query({ deleted: deleted ? 'true' : undefined })}`,
    ),
  schemaTypes: () => call<string[]>('GET', `${registry}/schemas/types`),
  /** The subject's effective level (its own, else the global one). */
  subjectLevel: (subject: string) =>
    call<{ compatibilityLevel: string }>(
      'GET',
      `${registry}/config/${enc(subject)}${query({ defaultToGlobal: 'true' })}`,
    ),
  setSubjectLevel: (subject: string, compatibility: string) =>
    call<{ compatibility: string }>('PUT', `${registry}/config/${enc(subject)}`, { compatibility }),
  checkCompatibility: (subject: string, candidate: CandidateSchema) =>
    call<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `${registry}/compatibility/subjects/${enc(subject)}/versions${query({ verbose: 'true' })}`,
      candidateBody(candidate),
    ),
  register: (subject: string, candidate: CandidateSchema) =>
    call<{ id: number }>('POST', `${registry}/subjects/${enc(subject)}/versions`, candidateBody(candidate)),
  deleteVersion: (subject: string, version: number, permanent: boolean) =>
    call<number>(
      'DELETE',
      `${registry}/subjects/${enc(subject)}/versions/${version}${query({ permanent: permanent ? 'true' : undefined })}`,
    ),
  deleteSubject: (subject: string, permanent: boolean) =>
    call<number[]>(
      'DELETE',
      `${registry}/subjects/${enc(subject)}${query({ permanent: permanent ? 'true' : undefined })}`,
    ),

  connectors: () =>
    call<Record<string, { status: ConnectorStatus; info: ConnectorInfo }>>(
      'GET',
      `${connect}/connectors?expand=status&expand=info`,
    ),
  connectorStatus: (name: string) =>
    call<ConnectorStatus>('GET', `${connect}/connectors/${enc(name)}/status`),
  connectorInfo: (name: string) => call<ConnectorInfo>('GET', `${connect}/connectors/${enc(name)}`),
  createConnector: (name: string, config: Record<string, string>) =>
    call<ConnectorInfo>('POST', `${connect}/connectors`, { name, config }),
  putConnectorConfig: (name: string, config: Record<string, string>) =>
    call<ConnectorInfo>('PUT', `${connect}/connectors/${enc(name)}/config`, config),
  connectorAction: (name: string, action: 'pause' | 'resume' | 'stop') =>
    call<void>('PUT', `${connect}/connectors/${enc(name)}/${action}`),
  restartConnector: (name: string) =>
    call<unknown>('POST', `${connect}/connectors/${enc(name)}/restart?includeTasks=true`),
  restartTask: (name: string, task: number) =>
    call<void>('POST', `${connect}/connectors/${enc(name)}/tasks/${task}/restart`),
  deleteConnector: (name: string) => call<void>('DELETE', `${connect}/connectors/${enc(name)}`),
  validateConfig: (plugin: string, config: Record<string, string>) =>
    call<ConfigInfos>('PUT', `${connect}/connector-plugins/${enc(plugin)}/config/validate`, config),
  connectorOffsets: (name: string) =>
    call<{ offsets: ConnectorOffset[] }>('GET', `${connect}/connectors/${enc(name)}/offsets`),
  alterConnectorOffsets: (name: string, offsets: ConnectorOffset[]) =>
    call<{ message: string }>('PATCH', `${connect}/connectors/${enc(name)}/offsets`, { offsets }),
  resetConnectorOffsets: (name: string) =>
    call<{ message: string }>('DELETE', `${connect}/connectors/${enc(name)}/offsets`),
  plugins: () =>
    call<Array<{ class: string; type: string; version: string }>>('GET', `${connect}/connector-plugins`),

  query: (sql: string, signal: AbortSignal) =>
    call<QueryResult>('POST', '/api/v1/query', { sql, maxRows: 1000 }, { signal }),
}
