// The admin API as the console uses it: typed calls over fetch(), errors as ApiFailure with the API's
// code and message. Only the public HTTP API (docs/http-api.md, /api/v1/openapi.json) is used here.

export interface Cluster {
  clusterId: string
  version: string
  controllerId: number
  brokers: Array<{ nodeId: number; host: string; port: number }>
  mode: 'disk' | 'memory' | 'cluster'
  dataDir: string | null
  playground: boolean
  topics: number
  partitions: number
  sizeBytes: number
}

export interface ThroughputSample {
  timeMs: number
  recordsInPerSec: number
  bytesInPerSec: number
  recordsOutPerSec: number
  bytesOutPerSec: number
  requestsPerSec: number
  requestMeanMs: number
  requestP50Ms: number
  requestP99Ms: number
  connections: number
}

export interface TopicSummary {
  name: string
  topicId: string
  partitions: number
  internal: boolean
}

export interface PartitionDetail {
  partition: number
  leader: number
  logStartOffset: number
  highWatermark: number
  logEndOffset: number
  sizeBytes: number
}

export interface TopicConfigValue {
  name: string
  value: string
  isDefault: boolean
}

export interface TopicDetail extends TopicSummary {
  configs: TopicConfigValue[]
  partitionDetails: PartitionDetail[]
}

export interface ConfigDefinition {
  name: string
  type: string
  defaultValue: string
  doc: string
  valid: { min: number; max: number } | { oneOf: string[] }
}

export interface EncodedBytes {
  encoding: 'json' | 'text' | 'base64'
  data: unknown
  /** With decode=registry, for Confluent wire-format bytes: the schema they were written with. */
  schema?: { id: number; type: string | null; name: string | null; error?: string }
}

export interface Message {
  partition: number
  offset: number
  timestamp: number
  key: EncodedBytes | null
  value: EncodedBytes | null
  headers: Array<{ key: string; value: EncodedBytes | null }>
}

export interface BrowseResult {
  topic: string
  partition: number
  nextOffset: number
  highWatermark: number
  logStartOffset: number
  messages: Message[]
}

export interface ProduceBody {
  messages: Array<{
    partition?: number
    key: unknown
    value: unknown
    headers?: Record<string, string | null> | Array<{ key: string; value: string | null }>
    timestamp?: number
  }>
  keyEncoding?: 'text' | 'base64'
  valueEncoding?: 'text' | 'base64'
  headerEncoding?: 'text' | 'base64'
  keySchemaId?: number
  valueSchemaId?: number
}

export interface GroupSummary {
  groupId: string
  state: string
  protocolType: string
}

export interface GroupOffset {
  topic: string
  partition: number
  committedOffset: number
  logEndOffset: number
  lag: number
  metadata: string
}

export interface GroupDetail extends GroupSummary {
  protocol: string
  members: Array<{
    memberId: string
    groupInstanceId: string | null
    clientId: string
    clientHost: string
    assignment: Array<{ topic: string; partitions: number[] }>
  }>
  offsets: GroupOffset[]
}

export interface ResetResult {
  groupId: string
  dryRun: boolean
  partitions: Array<{ topic: string; partition: number; previousOffset: number | null; newOffset: number }>
}

export interface AclBinding {
  resourceType: string
  resourceName: string
  patternType: string
  principal: string
  host: string
  operation: string
  permissionType: string
}

export interface ScramUser {
  name: string
  mechanisms: string[]
}

export interface QuotaEntity {
  user?: string | null
  clientId?: string | null
}

export interface ClientQuota {
  entity: QuotaEntity
  values: Record<string, number>
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The session's CSRF token (set after login), sent on every state-changing call. */
let csrfToken: string | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Fired when a call answers 401: the session ended, the console shows its login form. */
export const unauthenticatedEvent = 'streamline:unauthenticated'

/** One call of the API (or of a service passed through it): JSON in, JSON out, errors as ApiFailure
 * with the API's `code` or the registry's / Connect's `error_code`. */
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: options.signal,
  })
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let parsed: unknown = null
  try {
    parsed = text === '' ? null : JSON.parse(text)
  } catch {
    parsed = null
  }
  if (response.status === 401 && path !== '/api/v1/session')
    window.dispatchEvent(new Event(unauthenticatedEvent))
  if (!response.ok) {
    const error = (parsed ?? {}) as { code?: string; error_code?: number; message?: string }
    const code =
      error.code ?? (error.error_code === undefined ? `HTTP_${response.status}` : String(error.error_code))
    throw new ApiFailure(response.status, code, error.message ?? text)
  }
  return parsed as T
}

export const enc = encodeURIComponent

export function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(name, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

export interface BrokerConfigEntry {
  name: string
  value: string | null
  source: string
  isDefault: boolean
  isSensitive: boolean
  readOnly: boolean
  type: string
  documentation: string | null
  synonyms: Array<{ name: string; value: string | null; source: string }>
}

export type BrokerConfigScope = 'broker' | 'cluster'

export interface BrokerConfigs {
  brokerId: number
  scope: BrokerConfigScope
  configs: BrokerConfigEntry[]
}

export interface BrokerConfigChange {
  name: string
  operation: 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT'
  value?: string | null
}

export interface SessionState {
  authentication: boolean
  principal: string | null
  csrfToken: string | null
}

export const api = {
  session: () => call<SessionState>('GET', '/api/v1/session'),
  login: (username: string, password: string) =>
    call<SessionState>('POST', '/api/v1/session', { username, password }),
  logout: () => call<void>('DELETE', '/api/v1/session'),
  cluster: () => call<Cluster>('GET', '/api/v1/cluster'),
  history: () => call<{ intervalMs: number; samples: ThroughputSample[] }>('GET', '/api/v1/metrics/history'),
  openApiPaths: async () => Object.keys((await call<{ paths: object }>('GET', '/api/v1/openapi.json')).paths),
  topics: () => call<{ topics: TopicSummary[] }>('GET', '/api/v1/topics'),
  topic: (name: string) => call<TopicDetail>('GET', `/api/v1/topics/${enc(name)}`),
  topicConfigs: () => call<{ configs: ConfigDefinition[] }>('GET', '/api/v1/topic-configs'),
  createTopic: (body: { name: string; partitions: number; configs: Record<string, string> }) =>
    call<TopicDetail>('POST', '/api/v1/topics', body),
  deleteTopic: (name: string) => call<void>('DELETE', `/api/v1/topics/${enc(name)}`),
  setConfigs: (name: string, configs: Record<string, string>) =>
    call<TopicDetail>('PUT', `/api/v1/topics/${enc(name)}/configs`, { configs }),
  addPartitions: (name: string, count: number) =>
    call<TopicDetail>('POST', `/api/v1/topics/${enc(name)}/partitions`, { count }),
  deleteRecords: (name: string, partition: number, beforeOffset: number) =>
    call<{ partition: number; logStartOffset: number }>(
      'POST',
      `/api/v1/topics/${enc(name)}/partitions/${partition}/delete-records`,
      { beforeOffset },
    ),
  browse: (
    topic: string,
    partition: number,
    options: {
      offset?: number
      timestamp?: number
      limit: number
      encoding?: string
      filter?: string
      filterMode?: string
      decode?: 'registry'
    },
  ) =>
    call<BrowseResult>(
      'GET',
      `/api/v1/topics/${enc(topic)}/partitions/${partition}/messages${query(options)}`,
    ),
  produce: (
    topic: string,
    message: {
      partition?: number
      key: string | null
      value: string | null
      headers: Record<string, string>
    },
  ) =>
    call<{ topic: string; offsets: Array<{ partition: number; offset: number }> }>(
      'POST',
      `/api/v1/topics/${enc(topic)}/messages`,
      { messages: [message] },
    ),
  /** Many messages at once, in any of the produce API's encodings (import, schema-serialized values). */
  produceMessages: (topic: string, body: ProduceBody) =>
    call<{ topic: string; offsets: Array<{ partition: number; offset: number }> }>(
      'POST',
      `/api/v1/topics/${enc(topic)}/messages`,
      body,
    ),
  groups: () => call<{ groups: GroupSummary[] }>('GET', '/api/v1/groups'),
  group: (id: string) => call<GroupDetail>('GET', `/api/v1/groups/${enc(id)}`),
  deleteGroup: (id: string) => call<void>('DELETE', `/api/v1/groups/${enc(id)}`),
  resetOffsets: (
    id: string,
    body: { topic: string; to: string; offset?: number; timestamp?: number; shift?: number; dryRun: boolean },
  ) => call<ResetResult>('POST', `/api/v1/groups/${enc(id)}/offsets/reset`, body),
  acls: () => call<{ authorizer: boolean; acls: AclBinding[] }>('GET', '/api/v1/acls'),
  createAcl: (binding: AclBinding) => call<AclBinding>('POST', '/api/v1/acls', binding),
  deleteAcls: (filter: Partial<AclBinding>) =>
    call<{ deleted: AclBinding[] }>('POST', '/api/v1/acls/delete', filter),
  users: () => call<{ users: ScramUser[] }>('GET', '/api/v1/users'),
  setUser: (name: string, password: string, mechanism: string) =>
    call<{ name: string }>('PUT', `/api/v1/users/${enc(name)}`, { password, mechanism }),
  deleteUser: (name: string) => call<void>('DELETE', `/api/v1/users/${enc(name)}`),
  quotas: () => call<{ keys: string[]; quotas: ClientQuota[] }>('GET', '/api/v1/quotas'),
  setQuota: (entity: QuotaEntity, values: Record<string, number | null>) =>
    call<ClientQuota>('POST', '/api/v1/quotas', { entity, values }),
  brokerConfigs: (scope: BrokerConfigScope) =>
    call<BrokerConfigs>('GET', `/api/v1/broker-configs${query({ scope })}`),
  alterBrokerConfigs: (scope: BrokerConfigScope, changes: BrokerConfigChange[]) =>
    call<BrokerConfigs>('POST', '/api/v1/broker-configs', { scope, changes }),
}
