// Starts a whole broker in this process and stops it gracefully. Used by the CLI (src/cli), by the
// embedded API (src/embedded) and by tests.
//
// Start: HTTP port bound first (so /health answers during a long recovery), then the log (disk or
// memory), the group coordinator (replaying __consumer_offsets in the background), the Kafka listener,
// and the playground if asked. "streamline started" is logged when the Kafka listener accepts and the
// log is open (the start-up time in bench/RESULTS.md); the HTTP app behind the bound port (fastify, the
// admin API) is built right after, once group state is loaded ("http ready"), or earlier by the first
// HTTP request. Ready (/ready 200) once the listener runs and group state is loaded.
//
// Stop (close(), SIGTERM/SIGINT in the CLI): stop accepting connections, hold new requests and let
// the ones in flight finish (at most shutdownTimeoutMs), close connections and the HTTP port, then
// close the log: flush, checkpoints and the clean-shutdown marker, so the next start skips recovery.

import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { ClusterNode } from '../cluster/cluster-node.ts'
import type { ClusterOptions } from '../cluster/options.ts'
import { type BrokerLimits, defaultBrokerLimits } from '../config/limits.ts'
import { streamlineVersion } from '../config/version.ts'
import { type ConnectServer, type ConnectServerOptions, startConnectServer } from '../connect/server.ts'
import type { GroupCoordinatorSettings } from '../coordinator/group/group-config.ts'
import { GroupCoordinator } from '../coordinator/group/group-coordinator.ts'
import { repairStateTopics } from '../coordinator/state-topic-repair.ts'
import {
  createStateTopicRegistry,
  defaultInternalTopicSettings,
  type InternalTopicSettings,
  type StateTopicRegistry,
} from '../coordinator/state-topics.ts'
import { ProducerIdManager } from '../coordinator/txn/producer-id-manager.ts'
import { TransactionCoordinator } from '../coordinator/txn/transaction-coordinator.ts'
import { startPlayground } from '../embedded/playground.ts'
import type { BrokerView, HttpContext } from '../http/context.ts'
import { type HttpServer, startHttpServer } from '../http/server.ts'
import { createLogger, type Logger, type LogLevel } from '../log.ts'
import { BrokerMetrics } from '../metrics/broker-metrics.ts'
import { InstrumentedRouter } from '../metrics/instrumented-router.ts'
import { apiDefinitions } from '../protocol/generated/index.ts'
import { openQuotaServices } from '../quotas/quota-services.ts'
import type { RegistryAuthenticationMethod } from '../registry/basic-auth.ts'
import { RegistryRuntime } from '../registry/runtime.ts'
import { type RegistryServer, registryTlsOptionsOf, startRegistryServer } from '../registry/server.ts'
import { openAuthorizer } from '../security/acl/authorizer.ts'
import {
  type BrokerListeners,
  defaultSecurityStartOptions,
  openSecurityServices,
  type SecurityStartOptions,
  startListeners,
} from '../security/broker-listeners.ts'
import type { ListenerSpec } from '../security/listeners.ts'
import type { SecurityServices } from '../security/session.ts'
import { createSqlService, type SqlService } from '../sql/index.ts'
import type { SqlLimits } from '../sql/limits.ts'
import { openLogManager } from '../storage/log-manager.ts'
import { createMemoryLogManager } from '../storage/memory/memory-log-manager.ts'
import type { TieredStorageOptions } from '../storage/tiered/tiered-storage.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'
import type { LogManager } from '../storage/types.ts'
import { openTelemetry } from '../telemetry/open.ts'
import type { OtelOptions } from '../telemetry/options.ts'
import { parseHostPort } from './address.ts'
import { DynamicBrokerConfigs } from './broker-config/dynamic-store.ts'
import { createBrokerConfigAdmin } from './config-admin.ts'
import { ConnectionLimiter } from './connection-limits.ts'
import { FeatureStore } from './features.ts'
import type { AnyHandler, BrokerServices, BrokerSettings, SupportedApi } from './handler.ts'
import { FetchSessionCache } from './handlers/fetch/fetch-session-cache.ts'
import { handlers, handlersFor } from './handlers/index.ts'

export interface StartBrokerOptions {
  /** Where the log lives (`--data-dir`, default ./data); unused with inMemory. */
  dataDir?: string
  /** More log dirs partitions are placed across, beside dataDir (Kafka's log.dirs after the first). */
  logDirs?: readonly string[]
  /** Keep the log in memory (`--in-memory`); nothing is written to disk. */
  inMemory?: boolean
  /** `--listen-addr`, default 127.0.0.1:9092; port 0 picks a free port. */
  listenAddr?: string
  /** `--advertised-addr`: what Metadata tells clients; defaults to the address listened on. */
  advertisedAddr?: string
  /** `--http-addr`, default 127.0.0.1:9094; null disables the HTTP port. */
  httpAddr?: string | null
  /** `--registry-addr` (the CLI's default 127.0.0.1:8081, Confluent's); absent or null: no schema
   * registry (so tests that start brokers in-process never bind 8081). */
  registryAddr?: string | null
  /** The registry's port serves HTTPS with these PEM files (`registry_listeners = https://…`). */
  registryTls?: { certFile: string; keyFile: string }
  /** Confluent's authentication.method on the registry port (default AUTO: with SCRAM users). */
  registryAuthentication?: RegistryAuthenticationMethod
  /** `--connect-addr`: the Connect REST listener (the CLI's default 127.0.0.1:8083); absent or null: no
   * Connect worker (so tests that start brokers in-process never bind 8083). */
  connectAddr?: string | null
  /** The built-in Connect worker's settings (exactly.once.source.support, plugin.path). */
  connectWorker?: Pick<
    ConnectServerOptions,
    'exactlyOnceSourceSupport' | 'pluginPath' | 'group' | 'metricsWindow'
  >
  nodeId?: number
  /** `broker.rack`: this broker's rack (Metadata, DescribeCluster; KIP-392 rack-local fetch in cluster mode). */
  brokerRack?: string
  logLevel?: LogLevel
  logger?: Logger
  limits?: Partial<BrokerLimits>
  settings?: Partial<BrokerSettings>
  /** Broker-wide topic config defaults in Kafka's names (`retention.ms`, `flush.ms`, …). */
  topicDefaults?: TopicConfigOverrides
  /** Tiered storage (storage/tiered/); absent: off. */
  tieredStorage?: TieredStorageOptions
  /** Bounds of SQL over topics (the [sql] section; default: src/sql/limits.ts). */
  sql?: Partial<SqlLimits>
  /** Cluster mode (src/cluster, docs/cluster.md): metadata in PostgreSQL, data in an S3-compatible
   * store; absent: the single-process broker, and no cluster code is loaded. */
  cluster?: ClusterOptions
  /** Demo topics with live sample data (`--playground`). */
  playground?: boolean
  /** How long a graceful stop waits for in-flight requests. Default 10 s. */
  shutdownTimeoutMs?: number
  /** Group coordinator settings (classic and KIP-848); Kafka's defaults for what is left out. */
  groups?: GroupCoordinatorSettings
  /** `offsets.topic.*` / `transaction.state.log.*` partition counts and segment sizes (Kafka's defaults). */
  internalTopics?: Partial<InternalTopicSettings>
  /** Process-wide metrics (memory, event loop) in /metrics. Default true. */
  processMetrics?: boolean
  /** Kafka listeners (`security.listeners`); absent: one PLAINTEXT listener on listenAddr/advertisedAddr. */
  listeners?: ListenerSpec[]
  /** TLS files, SASL mechanisms, users file, failed-authentication delay (docs/security.md). */
  security?: Partial<SecurityStartOptions>
  /** OpenTelemetry export and client telemetry (KIP-714), docs/telemetry.md; absent: all off. */
  otel?: Partial<OtelOptions>
}

export interface RunningBroker {
  host: string
  port: number
  /** The HTTP address, or null when disabled. */
  httpHost: string | null
  httpPort: number | null
  /** The schema registry's address, or null when disabled. */
  registryHost: string | null
  registryPort: number | null
  /** The Connect REST URL (`http://host:port`), or null when Connect is off. */
  connectUrl: string | null
  logs: LogManager
  groups: GroupCoordinator
  /** What every Kafka handler uses (the embedded in-process client calls the handlers with it). */
  services: BrokerServices
  /** Resolves once __consumer_offsets is replayed (readiness). */
  groupsLoaded: Promise<void>
  /** The schema registry's store (the same one its port serves), loaded on first use: the embedded
   * client's registry serdes register and read schemas through it without HTTP. */
  registry: RegistryRuntime
  metrics: BrokerMetrics
  /** SQL over topics (docs/sql.md); DuckDB loads on the first query. */
  sql: SqlService
  /** Every Kafka listener with its name, security protocol and bound address (the first is host/port). */
  listeners: BrokerListeners['all']
  /** Resolves once request spans are exported (`otel.enabled`; the SDK loads beside the start-up). */
  tracingReady: Promise<void>
  /** Graceful stop (see the header); idempotent. */
  close(): Promise<void>
}

export const defaultBrokerSettings: BrokerSettings = { autoCreateTopicsEnable: true, numPartitions: 1 }
export const defaultShutdownTimeoutMs = 10_000

/** The API table ApiVersions advertises: exactly what the registry handles. */
export function supportedApisOf(registry: readonly AnyHandler[]): SupportedApi[] {
  return registry
    .map((handler) => ({
      apiKey: handler.apiKey,
      minVersion: handler.versions.min,
      maxVersion: handler.versions.max,
    }))
    .sort((a, b) => a.apiKey - b.apiKey)
}

function checkRegistry(): void {
  for (const handler of handlers) {
    if (handler.versions.max > apiDefinitions[handler.apiKey].maxVersion) {
      throw new Error(`handler for ${apiDefinitions[handler.apiKey].name} claims versions the spec lacks`)
    }
  }
}

/** Cluster mode: the node (its log manager is the broker's), loaded on demand. */
async function openClusterNode(options: StartBrokerOptions, log: Logger): Promise<ClusterNode | null> {
  if (options.cluster === undefined) return null
  const { ClusterNode } = await import('../cluster/cluster-node.ts')
  return ClusterNode.open(options.cluster, {
    log,
    topicDefaults: options.topicDefaults ?? {},
    // Fixed by the first broker of a new cluster: the number of group coordinator slots.
    offsetsTopicPartitions: { ...defaultInternalTopicSettings, ...options.internalTopics }
      .offsetsTopicPartitions,
  })
}

async function openLogs(
  options: StartBrokerOptions,
  log: Logger,
  cluster: ClusterNode | null,
): Promise<LogManager> {
  if (cluster !== null) return cluster.logs
  const defaultConfigOverrides = options.topicDefaults ?? {}
  if (options.inMemory === true) return createMemoryLogManager({ defaultConfigOverrides, logger: log })
  return openLogManager({
    dataDir: options.dataDir ?? './data',
    logDirs: options.logDirs ?? [],
    defaultConfigOverrides,
    logger: log,
    ...(options.tieredStorage === undefined ? {} : { tieredStorage: options.tieredStorage }),
  })
}

/** The state topics (repaired if an earlier version created them with ordinary configs) and the
 * coordinators that keep their state in them, created from the same settings. */
async function openCoordinators(
  options: StartBrokerOptions,
  logs: LogManager,
  producerIds: ProducerIdManager,
  log: Logger,
  cluster: ClusterNode | null,
): Promise<{
  stateTopics: StateTopicRegistry
  groups: GroupCoordinator
  transactions: TransactionCoordinator
}> {
  const internalTopics = { ...defaultInternalTopicSettings, ...options.internalTopics }
  const stateTopics = createStateTopicRegistry(internalTopics)
  await repairStateTopics(logs, stateTopics, log)
  const groups = new GroupCoordinator({
    logs,
    log,
    config: options.groups?.classic,
    consumer: options.groups?.consumer,
    offsetsTopic: {
      partitionCount: internalTopics.offsetsTopicPartitions,
      segmentBytes: internalTopics.offsetsTopicSegmentBytes,
    },
    // Cluster mode: group state in PostgreSQL, each group on the broker holding its coordinator lease.
    ...(cluster === null ? {} : { stateLog: cluster.groupStore }),
  })
  const transactions = new TransactionCoordinator({
    logs,
    groups,
    producerIds,
    log,
    config: {
      partitionCount: internalTopics.transactionTopicPartitions,
      segmentBytes: internalTopics.transactionTopicSegmentBytes,
    },
    // Cluster mode: transaction state in PostgreSQL, each id on the broker holding its coordinator lease.
    ...(cluster === null ? {} : { stateLog: cluster.txnStore }),
  })
  return { stateTopics, groups, transactions }
}

/** Mutable state the HTTP port reads (it opens before the broker is ready). */
interface Lifecycle {
  view: BrokerView | null
  groupsLoaded: boolean
  stopping: boolean
}

export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const startedMs = performance.now()
  const log = options.logger ?? createLogger(options.logLevel ?? 'info')
  const listenAddress = parseHostPort('listen-addr', options.listenAddr ?? '127.0.0.1:9092')
  const httpAddr = options.httpAddr === undefined ? '127.0.0.1:9094' : options.httpAddr
  const httpAddress = httpAddr === null ? null : parseHostPort('http-addr', httpAddr)
  const registryAddr = options.registryAddr ?? null
  const registryAddress = registryAddr === null ? null : parseHostPort('registry-addr', registryAddr)
  const advertisedAddress =
    options.advertisedAddr === undefined ? null : parseHostPort('advertised-addr', options.advertisedAddr)
  const limits = { ...defaultBrokerLimits, ...options.limits }
  // Built first: a bad max.connections.per.ip.overrides refuses to start before anything is open.
  const connectionLimiter = new ConnectionLimiter(limits)
  checkRegistry()
  const security = { ...defaultSecurityStartOptions, ...options.security }
  const metrics = new BrokerMetrics({ version: streamlineVersion, processMetrics: options.processMetrics })
  const state: Lifecycle = { view: null, groupsLoaded: false, stopping: false }
  const httpContext: HttpContext = {
    version: streamlineVersion,
    log,
    metrics,
    broker: () => state.view,
    ready: () => state.view !== null && state.groupsLoaded && !state.stopping,
    stopping: () => state.stopping,
  }
  const http = httpAddress === null ? null : await startHttpServer({ ...httpAddress, context: httpContext })
  if (http !== null) log.info({ host: http.host, port: http.port }, 'http listening')
  let logs: LogManager
  let cluster: ClusterNode | null = null
  try {
    cluster = await openClusterNode(options, log)
    logs = await openLogs(options, log, cluster)
  } catch (error) {
    await http?.close()
    throw error
  }
  const dataDir = options.inMemory === true ? undefined : resolve(options.dataDir ?? './data')
  // Cluster mode: ACLs, SCRAM credentials, client quotas and the cluster-wide dynamic broker configs
  // are documents in PostgreSQL shared by every broker (cluster/shared-state.ts), not data dir files.
  const documents = cluster?.sharedState
  const shared = { dataDir, ...(documents === undefined ? {} : { documents }) }
  let securityServices: SecurityServices
  try {
    securityServices = await openSecurityServices(security, shared)
  } catch (error) {
    await http?.close()
    await logs.close()
    throw error
  }
  // Cluster mode: producer ids from PostgreSQL, unique across brokers.
  const producerIds = new ProducerIdManager({
    dataDir,
    ...(cluster === null ? {} : { allocateBlock: cluster.allocateProducerIdBlock.bind(cluster) }),
  })
  await producerIds.load()
  const authorizer = await openAuthorizer(security.authorizer, shared)
  const features = new FeatureStore({ dataDir, nodeId: options.nodeId ?? 0 })
  await features.load()
  const quotas = await openQuotaServices({
    ...shared,
    window: { samples: limits.quotaWindowNum, windowMs: limits.quotaWindowSizeSeconds * 1000 },
    onThrottle: (quota, throttleMs) => metrics.throttled(quota, throttleMs),
  })
  const dynamicConfigs = await DynamicBrokerConfigs.open({
    ...shared,
    logs,
    staticTopicDefaults: options.topicDefaults ?? {},
    limits,
    connectionLimiter,
  })
  const telemetry = await openTelemetry({
    otel: options.otel,
    dataDir,
    metrics,
    log,
    version: streamlineVersion,
    nodeId: options.nodeId ?? 0,
  })
  const servedHandlers = handlersFor({ clientTelemetry: telemetry.clientTelemetry !== undefined })
  const { stateTopics, groups, transactions } = await openCoordinators(
    options,
    logs,
    producerIds,
    log,
    cluster,
  )
  // Coordinator state replays in the background (groups first: prepared transactions complete into
  // them); their requests get COORDINATOR_LOAD_IN_PROGRESS meanwhile.
  const groupsLoaded = groups
    .start()
    .then(() => transactions.start())
    .then(
      () => {
        state.groupsLoaded = true
      },
      (error: unknown) => {
        log.error(
          { err: error },
          'loading coordinator state failed; group and transaction requests will keep failing',
        )
      },
    )
  const identity = {
    nodeId: options.nodeId ?? 0,
    host: listenAddress.host,
    port: listenAddress.port,
    rack: options.brokerRack ?? null,
  }
  const fetchSessions = new FetchSessionCache({
    sessionsMax: limits.fetchSessionsMax,
    sessionIdleMs: limits.fetchSessionIdleMs,
  })
  const settings = { ...defaultBrokerSettings, ...options.settings }
  // The registry's store, shared by its port and broker-side schema validation; nothing loads until used.
  const registryRuntime = new RegistryRuntime({
    logs,
    log,
    security: securityServices,
    metrics,
    ...(authorizer === undefined ? {} : { authorizer }),
  })
  const services: BrokerServices = {
    identity,
    settings,
    logs,
    log,
    supportedApis: supportedApisOf(servedHandlers),
    features,
    stateTopics,
    dynamicConfigs,
    dataDir,
    topicDefaults: options.topicDefaults ?? {},
    limits,
    groups,
    transactions,
    producerIds,
    fetchSessions,
    metrics,
    security: securityServices,
    ...(authorizer === undefined ? {} : { authorizer }),
    quotas,
    connectionLimiter,
    ...(cluster === null ? {} : { cluster }),
    schemaValidator: registryRuntime.validator,
    clientMetrics: telemetry.clientMetrics,
    ...(telemetry.clientTelemetry === undefined ? {} : { clientTelemetry: telemetry.clientTelemetry }),
  }
  const tracingReady = telemetry.tracingReady(services)
  const router = new InstrumentedRouter(servedHandlers, services, metrics)
  const specs: ListenerSpec[] = options.listeners ?? [
    {
      name: 'PLAINTEXT',
      securityProtocol: 'PLAINTEXT',
      ...listenAddress,
      ...(advertisedAddress === null ? {} : { advertised: advertisedAddress }),
    },
  ]
  let registry: RegistryServer | null
  try {
    registry =
      registryAddress === null
        ? null
        : await startRegistryServer({
            ...registryAddress,
            runtime: registryRuntime,
            authentication: options.registryAuthentication ?? 'AUTO',
            ...(options.registryTls === undefined
              ? {}
              : { tls: await registryTlsOptionsOf(options.registryTls) }),
          })
  } catch (error) {
    await closeHttp(http, log)
    await logs.close()
    throw error
  }
  if (registry !== null)
    log.info({ host: registry.host, port: registry.port, url: registry.url }, 'registry listening')
  let listener: BrokerListeners | undefined
  try {
    listener = await startListeners({ specs, security, services, router, limits, log })
    // In cluster mode the broker id comes from PostgreSQL, at the address clients were just given.
    if (cluster !== null)
      identity.nodeId = await cluster.activate({
        host: identity.host,
        port: identity.port,
        rack: identity.rack,
      })
  } catch (error) {
    // A listener that cannot bind (EADDRINUSE) or a cluster that cannot be joined fails the start:
    // release what is already open, so an embedding process is not left with ports bound and the
    // log (and, in cluster mode, the database pool) open.
    await listener?.close()
    await closeRegistry(registry, log)
    await closeHttp(http, log)
    groups.stop()
    transactions.stop()
    await groupsLoaded
    await logs.close()
    throw error
  }
  // Codecs load per API on first use; load the rest now, off the start-up path.
  router.warmUp().catch((error: unknown) => log.error({ err: error }, 'loading protocol codecs failed'))
  // startListeners set each listener's advertised address (default: what it bound, port 0 resolved).
  metrics.attach({
    logs,
    dataDir,
    connectionCount: () => listener.connectionCount,
    fetchSessionCount: () => fetchSessions.size,
    committedOffsets: () => committedOffsetsOf(groups),
    ...(cluster === null ? {} : { clusterSnapshot: cluster.metricsSnapshot.bind(cluster) }),
  })
  const playground = options.playground === true ? await startPlayground(logs, log) : null
  // File output (COPY … TO) goes to the export directory: by default one beside the log, inside the data dir.
  const exportDirectory =
    options.sql?.exportDirectory ?? (dataDir === undefined ? undefined : join(dataDir, 'sql-export'))
  const sql = createSqlService({
    logs,
    registry: registryRuntime,
    authorizer,
    log,
    limits: { ...options.sql, ...(exportDirectory === undefined ? {} : { exportDirectory }) },
  })
  // Continuous queries of a previous run resume once group state is loaded (nothing to do, and no
  // DuckDB loaded, when no view was ever created).
  void groupsLoaded
    .then(() => sql.resume())
    .catch((error: unknown) => log.error({ err: error }, 'resuming continuous queries failed'))
  const connect = await startConnect(options, { host: listener.host, port: listener.port }, logs, log)
  if (connect !== null) registerConnectMetricsLater(metrics, connect, groupsLoaded, log)
  state.view = {
    logs,
    groups,
    identity,
    settings,
    mode: cluster !== null ? 'cluster' : dataDir === undefined ? 'memory' : 'disk',
    cluster,
    dataDir,
    listener: { host: listener.host, port: listener.port },
    playground: playground !== null,
    sql,
    authorizer,
    credentials: securityServices.credentials,
    quotas: quotas.store,
    brokerConfigs: createBrokerConfigAdmin(services),
    registry: registryRuntime,
    authentication: specs.some((spec) => spec.securityProtocol.startsWith('SASL')),
    registryUrl: registry?.url ?? null,
    connectUrl: connect?.url ?? null,
  }
  log.info({ host: listener.host, port: listener.port, clusterId: logs.clusterId }, 'broker listening')
  log.info(
    {
      version: streamlineVersion,
      kafka: `${listener.host}:${listener.port}`,
      advertised: `${identity.host}:${identity.port}`,
      http: http === null ? null : `http://${http.host}:${http.port}`,
      registry: registry?.url ?? null,
      dataDir: dataDir ?? null,
      mode: state.view.mode,
      playground: playground !== null,
      startupMs: Math.round(performance.now() - startedMs),
    },
    'streamline started',
  )
  warmUpAfterStart({ http, metrics, groupsLoaded, startedMs, log })

  let closing: Promise<void> | null = null
  const stop = async (): Promise<void> => {
    const timeoutMs = options.shutdownTimeoutMs ?? defaultShutdownTimeoutMs
    // Connect is a client of this broker: its tasks commit offsets and statuses through the Kafka
    // listener, so it stops first, while requests are still served (a stopping broker holds them).
    await stopConnect(connect, timeoutMs, log)
    state.stopping = true
    listener.stopAccepting()
    if (!(await router.drain(timeoutMs))) {
      log.warn(
        { requestsInFlight: router.requestsInFlight, shutdownTimeoutMs: timeoutMs },
        'in-flight requests did not finish in time; closing their connections',
      )
    }
    await playground?.stop()
    await listener.close()
    await closeHttp(http, log)
    await sql.close()
    await closeRegistry(registry, log)
    groups.stop()
    transactions.stop()
    await groupsLoaded
    await logs.close()
    await telemetry.close()
    metrics.close()
    log.info({}, 'broker stopped')
  }
  return {
    host: listener.host,
    port: listener.port,
    httpHost: http?.host ?? null,
    httpPort: http?.port ?? null,
    registryHost: registry?.host ?? null,
    registryPort: registry?.port ?? null,
    connectUrl: connect?.url ?? null,
    logs,
    groups,
    services,
    groupsLoaded,
    registry: registryRuntime,
    metrics,
    sql,
    listeners: listener.all,
    tracingReady,
    close() {
      closing ??= stop()
      return closing
    },
  }
}

/**
 * What start-up leaves for later, done once Kafka clients are served and group state is loaded so
 * neither waits for it: prom-client and the metrics, then the HTTP app (fastify and the admin API). A
 * request that arrives before loads what it needs itself.
 */
function warmUpAfterStart(started: {
  http: HttpServer | null
  metrics: BrokerMetrics
  groupsLoaded: Promise<void>
  startedMs: number
  log: Logger
}): void {
  const { http, metrics, log } = started
  started.groupsLoaded
    .then(() => new Promise((resolve) => setImmediate(resolve)))
    .then(async () => {
      metrics.load()
      if (http === null) return
      // /health, /ready and /metrics are served from here on; the admin API's app is built on its
      // first request (src/http/server.ts), so an idle broker never carries fastify.
      log.info({ httpReadyMs: Math.round(performance.now() - started.startedMs) }, 'http ready')
    })
    .catch((error: unknown) => log.error({ err: error }, 'warming up after start failed'))
}

/** Per-task Connect metrics on /metrics, registered with the broker's other metrics (after start-up). */
function registerConnectMetricsLater(
  metrics: BrokerMetrics,
  connect: ConnectServer,
  groupsLoaded: Promise<void>,
  log: Logger,
): void {
  groupsLoaded
    .then(() => import('../connect/runtime/connect-metrics.ts'))
    .then(({ registerConnectMetrics }) =>
      registerConnectMetrics(metrics.registry, () => connect.app()?.worker ?? null),
    )
    .catch((error: unknown) => log.error({ err: error }, 'registering the Connect metrics failed'))
}

/** The Connect REST listener (lazy: src/connect/server.ts), when configured. */
async function startConnect(
  options: StartBrokerOptions,
  kafka: { host: string; port: number },
  logs: LogManager,
  log: Logger,
): Promise<ConnectServer | null> {
  if (options.connectAddr === undefined || options.connectAddr === null) return null
  const address = parseHostPort('connect-addr', options.connectAddr)
  const server = await startConnectServer({
    ...address,
    bootstrap: [`${kafka.host}:${kafka.port}`],
    version: streamlineVersion,
    log,
    ...options.connectWorker,
    // Stored connectors resume at start; an idle broker never loads the worker.
    hasStoredConnectors: () => (logs.partition('connect-configs', 0)?.logEndOffset ?? 0) > 0,
  })
  log.info({ host: server.host, port: server.port }, 'connect listening')
  return server
}

async function closeHttp(http: HttpServer | null, log: Logger): Promise<void> {
  try {
    await http?.close()
  } catch (error) {
    // The log must still be closed cleanly: report and go on.
    log.error({ err: error }, 'closing the HTTP port failed')
  }
}

/** Stops the Connect worker, waiting at most `timeoutMs` (a stop must never hang on a client). */
async function stopConnect(connect: ConnectServer | null, timeoutMs: number, log: Logger): Promise<void> {
  if (connect === null) return
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([connect.close().then(() => 'stopped' as const), timedOut])
    if (outcome === 'timeout') log.warn({ shutdownTimeoutMs: timeoutMs }, 'Connect did not stop in time')
  } catch (error) {
    log.error({ err: error }, 'stopping Connect failed')
  } finally {
    clearTimeout(timer)
  }
}

async function closeRegistry(registry: RegistryServer | null, log: Logger): Promise<void> {
  try {
    await registry?.close()
  } catch (error) {
    log.error({ err: error }, 'closing the schema registry port failed')
  }
}

function* committedOffsetsOf(groups: GroupCoordinator): Iterable<{
  group: string
  topic: string
  partition: number
  offset: number
}> {
  for (const group of groups.offsets.groupIds()) {
    for (const committed of groups.offsets.all(group)) {
      yield { group, topic: committed.topic, partition: committed.partition, offset: committed.offset }
    }
  }
}
