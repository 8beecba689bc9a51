// What the HTTP server sees of the broker. The HTTP port opens before the log (so /health answers
// during a long recovery); until the broker is ready, `broker()` is null and the admin API answers
// 503 NOT_READY.

import type { BrokerConfigAdmin } from '../broker/config-admin.ts'
import type { BrokerIdentity, BrokerSettings } from '../broker/handler.ts'
import type { ClusterView } from '../cluster/view.ts'
import type { GroupCoordinator } from '../coordinator/group/group-coordinator.ts'
import type { Logger } from '../log.ts'
import type { BrokerMetrics } from '../metrics/broker-metrics.ts'
import type { ClientQuotaStore } from '../quotas/quota-store.ts'
import type { RegistryRuntime } from '../registry/runtime.ts'
import type { Authorizer } from '../security/acl/authorizer.ts'
import type { CredentialStore } from '../security/credential-store.ts'
import type { SqlService } from '../sql/index.ts'
import type { LogManager } from '../storage/types.ts'

export interface BrokerView {
  logs: LogManager
  groups: GroupCoordinator
  /** This broker as clients see it (the advertised address). */
  identity: BrokerIdentity
  settings: BrokerSettings
  /** 'disk' with a data dir, 'memory' (--in-memory), or 'cluster' (metadata in PostgreSQL, data in S3). */
  mode: 'disk' | 'memory' | 'cluster'
  /** Cluster mode's members and leases; null for a single broker. */
  cluster: ClusterView | null
  dataDir: string | undefined
  /** Kafka listener address actually bound. */
  listener: { host: string; port: number }
  playground: boolean
  /** SQL over topics (POST /api/v1/query); DuckDB loads on the first query. */
  sql: SqlService
  /** The ACL authorizer when `security.authorizer` is on; undefined: ACLs are not enforced. */
  authorizer: Authorizer | undefined
  /** SCRAM users (the users file and AlterUserScramCredentials' changes). */
  credentials: CredentialStore
  /** Client quotas (DescribeClientQuotas / AlterClientQuotas' store). */
  quotas: ClientQuotaStore
  /** A listener authenticates clients (SASL): the admin API and the console then need a login. */
  authentication: boolean
  /** Broker configs through DescribeConfigs / IncrementalAlterConfigs (GET/POST /api/v1/broker-configs). */
  brokerConfigs: BrokerConfigAdmin
  /** The schema registry's store (loaded on first use), for decoding records in the message browser. */
  registry: RegistryRuntime
  /** `http://host:port` of the schema registry, or null when it is disabled. */
  registryUrl: string | null
  /** `http://host:port` of the Connect REST API, or null when Connect is disabled. */
  connectUrl: string | null
}

export interface HttpContext {
  version: string
  log: Logger
  metrics: BrokerMetrics
  /** The broker once storage is open and the listener runs; null before (and never undefined). */
  broker(): BrokerView | null
  /** Storage open, listener up, group state loaded, not stopping: /ready answers 200. */
  ready(): boolean
  /** True from the start of a shutdown. */
  stopping(): boolean
  /** Where the built console lives (default: dist/web under the package root). */
  consoleAssetsDir?: string
}
