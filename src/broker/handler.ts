// What a Kafka API handler is, and what it may use. The router decodes the request, calls
// `handle`, and encodes what it returns; a handler never touches wire bytes.

import type { ClusterView } from '../cluster/view.ts'
import type { BrokerLimits } from '../config/limits.ts'
import type { GroupCoordinator } from '../coordinator/group/group-coordinator.ts'
import type { StateTopicRegistry } from '../coordinator/state-topics.ts'
import type { ProducerIdManager } from '../coordinator/txn/producer-id-manager.ts'
import type { TransactionCoordinator } from '../coordinator/txn/transaction-coordinator.ts'
import type { Logger } from '../log.ts'
import type { BrokerMetrics } from '../metrics/broker-metrics.ts'
import type { ApiKey, ApiMessages } from '../protocol/generated/index.ts'
import type { QuotaServices } from '../quotas/quota-services.ts'
import type { RequestQuota } from '../quotas/request-quota.ts'
import type { SchemaValidator } from '../registry/validation/types.ts'
import type { Authorizer } from '../security/acl/authorizer.ts'
import type { ConnectionSession, SecurityServices } from '../security/session.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'
import type { LogManager } from '../storage/types.ts'
import type { ClientMetricsStore } from '../telemetry/client-metrics-store.ts'
import type { ClientTelemetry } from '../telemetry/client-telemetry.ts'
import type { RequestTracing } from '../telemetry/request-tracing.ts'
import type { DynamicBrokerConfigs } from './broker-config/dynamic-store.ts'
import type { ConnectionLimiter } from './connection-limits.ts'
import type { FeatureStore } from './features.ts'
import type { FetchSessionCache } from './handlers/fetch/fetch-session-cache.ts'

/** This broker as clients see it (Metadata, FindCoordinator). */
export interface BrokerIdentity {
  nodeId: number
  /** The host and port advertised to clients. */
  host: string
  port: number
  rack: string | null
}

/** Broker-wide settings handlers consult. */
export interface BrokerSettings {
  /** `auto.create.topics.enable` (Kafka default true). */
  autoCreateTopicsEnable: boolean
  /** `num.partitions` (Kafka default 1): partitions of an auto-created topic. */
  numPartitions: number
}

/** One API and its version range, as ApiVersions advertises it. */
export interface SupportedApi {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface BrokerServices {
  identity: BrokerIdentity
  settings: BrokerSettings
  logs: LogManager
  log: Logger
  /** The bounds the broker runs with (DescribeConfigs reports those Kafka has names for). */
  limits: BrokerLimits
  /** Producer ids for InitProducerId, never reused. */
  producerIds: ProducerIdManager
  /** The transaction coordinator (this broker coordinates every transactional id). */
  transactions: TransactionCoordinator
  /** The group coordinator (this broker coordinates every group). */
  groups: GroupCoordinator
  /** Incremental fetch sessions (KIP-227), bounded by limits.fetchSessionsMax. */
  fetchSessions: FetchSessionCache
  /** Every API this broker serves, derived from the handler registry. */
  supportedApis: readonly SupportedApi[]
  /** State topics and the settings they are created with (coordinator/state-topics.ts); absent where a
   * test builds services without them: the default registry. */
  stateTopics?: StateTopicRegistry
  /** Dynamic broker configs (AlterConfigs on BROKER resources, broker-config/dynamic-store.ts); absent
   * where a test builds services without them: broker configs cannot be changed. */
  dynamicConfigs?: DynamicBrokerConfigs
  /** The absolute data directory (DescribeLogDirs, DescribeConfigs `log.dirs`); absent for an in-memory log. */
  dataDir?: string
  /** Broker-wide topic config defaults (Kafka's names) the log applies to every topic; DescribeConfigs
   * reports them as STATIC_BROKER_CONFIG. Absent: Kafka's defaults. */
  topicDefaults?: TopicConfigOverrides
  /** Prometheus metrics (docs/metrics.md); absent where a test builds services without them. */
  metrics?: BrokerMetrics
  /** SCRAM credentials, SASL mechanisms (src/security); absent where a test builds services without them. */
  security?: SecurityServices
  /** ACL enforcement (`[security] authorizer = true`); absent: everything is allowed. */
  authorizer?: Authorizer
  /** Finalized feature levels (KIP-584: ApiVersions, UpdateFeatures); absent where a test builds
   * services without them: every feature at its default level, not changeable. */
  features?: FeatureStore
  /** Client quotas (src/quotas): the persisted values and their enforcement; absent: no quotas. */
  quotas?: QuotaServices
  /** max.connections and max.connections.per.ip over all listeners; absent: each listener counts its own. */
  connectionLimiter?: ConnectionLimiter
  /** Cluster mode (src/cluster): the live brokers and each partition's leader; absent: a single broker
   * that leads every partition. */
  cluster?: ClusterView
  /** Broker-side schema validation (`confluent.key/value.schema.validation`, src/registry/validation);
   * absent where a test builds services without it: validated topics refuse every record. */
  schemaValidator?: SchemaValidator
  /** Client-metrics subscriptions (CLIENT_METRICS configs, KIP-714, src/telemetry); absent where a test
   * builds services without them: CLIENT_METRICS resources are refused. */
  clientMetrics?: ClientMetricsStore
  /** Client telemetry (GetTelemetrySubscriptions, PushTelemetry); present only when
   * `[telemetry] client_metrics` is on, which is also when ApiVersions advertises those APIs. */
  clientTelemetry?: ClientTelemetry
  /** Request spans (`--otel-enabled`, src/telemetry/request-tracing.ts); absent: tracing off. */
  tracing?: RequestTracing
}

export interface RequestContext {
  services: BrokerServices
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** The peer, "host:port", for logs and DescribeGroups. */
  clientAddress: string
  /** Who sent the request, as Kafka writes it: `User:ANONYMOUS`, `User:alice`, `User:CN=client,O=acme`. */
  principal: string
  /** The connection's authentication state (SASL handlers); absent for a connection built without one. */
  session?: ConnectionSession
  /** This request's client quotas (controller mutations, parked time); absent when quotas are off. */
  quota?: RequestQuota
  /** Set by a handler whose answer must be the connection's last (a failed SASL step, as Kafka). */
  closeAfterResponse?: boolean
  /** True for a Kafka connection, which can stream large Fetch reads from the log to its socket
   * (docs/fetch-streaming.md); absent for in-process calls, which need the records in the response. */
  streamsRecords?: boolean
  /** True for the in-process client, which reads Fetch answers' records batch by batch: the in-memory
   * engine's batches come as they are stored (`recordBatches`, handlers/fetch.ts), not concatenated. */
  takesRecordBatches?: boolean
}

/** Returned by a handler when the request gets no response (Produce with acks=0). */
export const noResponse: unique symbol = Symbol('noResponse')

export interface Handler<K extends ApiKey> {
  apiKey: K
  /** The versions this broker serves; advertised as they are by ApiVersions. */
  versions: { min: number; max: number }
  handle(
    context: RequestContext,
    request: ApiMessages[K]['request'],
  ): Promise<ApiMessages[K]['response'] | typeof noResponse>
}

/** A handler of any API key (the registry's element type). */
export type AnyHandler = { [K in ApiKey]: Handler<K> }[ApiKey]

export function defineHandler<K extends ApiKey>(handler: Handler<K>): Handler<K> {
  return handler
}
