// The one typed configuration of a Streamline process: every option, its type, default and meaning.
// Sources (flags, STREAMLINE_* environment, TOML file) are merged in sources.ts; --help and
// --generate-config are derived from this schema (options.ts), so a new option needs one line here.
//
// Field names are camelCase; the TOML file uses the same names in snake_case (`listen_addr`,
// `[topics] num_partitions`). Kafka's dotted names are accepted in the file too (kafka-names.ts).
// Each leaf carries `meta({ doc, flag? })`: `flag` overrides the derived flag name.

import { z } from 'zod'
import { checkCluster, clusterSchema } from './cluster-schema.ts'
import { defaultBrokerLimits } from './limits.ts'
import { otelSchema } from './otel-schema.ts'
import { checkSecurity } from './security-options.ts'
import { checkSql, sqlSchema } from './sql-schema.ts'
import { checkTieredStorage, tieredStorageSchema } from './tiered-storage-schema.ts'

export interface OptionMeta {
  [key: string]: unknown
  /** One line saying what the option does (--help, --generate-config, docs/configuration.md). */
  doc: string
  /** The command-line flag without dashes; default: the snake_case key with dashes, section-prefixed. */
  flag?: string
  /** Shown in --help after the flag, e.g. `<host:port>`. */
  valueName?: string
}

const hostPort = z
  .string()
  .regex(/^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port (IPv6 as [addr]:port), port 0 to 65535')
  .refine((text) => Number(text.slice(text.lastIndexOf(':') + 1)) <= 65535, 'port above 65535')

const int32Max = 2 ** 31 - 1
const positiveInt = () => z.number().int().min(1).max(int32Max)
const nonNegativeMs = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const day = 24 * 60 * 60 * 1000

function meta(doc: string, extra: Omit<OptionMeta, 'doc'> = {}): OptionMeta {
  return { doc, ...extra }
}

const topicsSchema = z
  .object({
    autoCreate: z
      .boolean()
      .default(true)
      .meta(
        meta(
          'Create a topic that does not exist when a Metadata request names it (as Kafka; docs/configuration.md).',
          {
            flag: 'auto-create-topics',
          },
        ),
      ),
    numPartitions: positiveInt()
      .default(1)
      .meta(meta('Partitions of an auto-created topic.', { flag: 'num-partitions', valueName: '<n>' })),
    retentionMs: z
      .number()
      .int()
      .min(-1)
      .default(7 * day)
      .meta(meta('How long records are kept (-1: forever). Kafka: log.retention.ms / .minutes / .hours.')),
    retentionBytes: z
      .number()
      .int()
      .min(-1)
      .default(-1)
      .meta(meta('Bytes kept per partition before old segments are deleted (-1: no limit).')),
    segmentBytes: z
      .number()
      .int()
      .min(14)
      .max(int32Max)
      .default(1024 * 1024 * 1024)
      .meta(meta('Size of one segment file.')),
    segmentMs: nonNegativeMs()
      .default(7 * day)
      .meta(meta('Time after which a segment is rolled even if not full.')),
    cleanupPolicy: z
      .enum(['delete', 'compact', 'compact,delete'])
      .default('delete')
      .meta(meta('delete: drop old segments; compact: keep the newest record per key.')),
    maxMessageBytes: z
      .number()
      .int()
      .min(0)
      .max(int32Max)
      .default(1048588)
      .meta(meta('Largest record batch a topic accepts (Kafka: message.max.bytes).')),
    compressionType: z
      .enum(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'])
      .default('producer')
      .meta(meta('Final compression of topics; producer keeps what the producer sent.')),
    messageTimestampType: z
      .enum(['CreateTime', 'LogAppendTime'])
      .default('CreateTime')
      .meta(meta('Record timestamps: the producer time or the broker append time.')),
  })
  .strict()

const flushSchema = z
  .object({
    intervalMessages: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .meta(meta('fsync a partition after this many messages (unset: never; acks=all always syncs).')),
    intervalMs: nonNegativeMs()
      .optional()
      .meta(meta('fsync data written with acks=0/1 at most this long after the write (unset: never).')),
  })
  .strict()

// Consumer group coordinator settings (classic and KIP-848), with Kafka's names and defaults.
const groupsSchema = z
  .object({
    initialRebalanceDelayMs: nonNegativeMs()
      .default(3_000)
      .meta(
        meta(
          'The first rebalance of an empty classic group waits this long for more members. Kafka: group.initial.rebalance.delay.ms.',
        ),
      ),
    minSessionTimeoutMs: positiveInt()
      .default(6_000)
      .meta(
        meta('Shortest session timeout a classic member may ask for. Kafka: group.min.session.timeout.ms.'),
      ),
    maxSessionTimeoutMs: positiveInt()
      .default(1_800_000)
      .meta(
        meta('Longest session timeout a classic member may ask for. Kafka: group.max.session.timeout.ms.'),
      ),
    consumerSessionTimeoutMs: positiveInt()
      .default(45_000)
      .meta(
        meta(
          'A KIP-848 member that does not heartbeat this long is removed. Kafka: group.consumer.session.timeout.ms.',
        ),
      ),
    consumerHeartbeatIntervalMs: positiveInt()
      .default(5_000)
      .meta(meta('Heartbeat interval told to KIP-848 members. Kafka: group.consumer.heartbeat.interval.ms.')),
    consumerMigrationPolicy: z
      .enum(['bidirectional', 'upgrade', 'downgrade', 'disabled'])
      .default('bidirectional')
      .meta(
        meta(
          'Online migration between group protocols: upgrade a classic group when a KIP-848 member joins it, downgrade when only classic members remain. Kafka: group.consumer.migration.policy.',
        ),
      ),
    offsetsTopicNumPartitions: positiveInt()
      .default(50)
      .meta(
        meta(
          'Partitions of __consumer_offsets when it is created (cluster mode: group coordinator slots, fixed when the cluster is created). Kafka: offsets.topic.num.partitions.',
        ),
      ),
  })
  .strict()

const limitsSchema = z
  .object({
    requestBytesMax: positiveInt()
      .default(defaultBrokerLimits.requestBytesMax)
      .meta(meta('Largest request frame accepted; larger closes the connection.')),
    connectionsMax: positiveInt()
      .default(defaultBrokerLimits.connectionsMax)
      .meta(meta('Concurrent client connections over all listeners; more are refused.')),
    connectionsPerIpMax: positiveInt()
      .default(defaultBrokerLimits.connectionsPerIpMax)
      .meta(meta('Concurrent connections from one IP address; more are refused.')),
    connectionsPerIpOverrides: z
      .string()
      .regex(/^$|^\s*[^,\s]+:\d+\s*(?:,\s*[^,\s]+:\d+\s*)*$/, 'expected address:count, comma-separated')
      .default(defaultBrokerLimits.connectionsPerIpOverrides)
      .meta(meta('Per-address limits that replace connections_per_ip_max: address:count, comma-separated.')),
    connectionBufferedBytesMax: positiveInt()
      .default(defaultBrokerLimits.connectionBufferedBytesMax)
      .meta(
        meta('Unanswered request and unread response bytes one connection may hold before reading pauses.'),
      ),
    quotaWindowNum: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(defaultBrokerLimits.quotaWindowNum)
      .meta(meta('Samples a client quota rate is measured over (Kafka: quota.window.num).')),
    quotaWindowSizeSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(defaultBrokerLimits.quotaWindowSizeSeconds)
      .meta(meta('Length in seconds of one client quota sample (Kafka: quota.window.size.seconds).')),
    connectionsMaxIdleMs: positiveInt()
      .default(defaultBrokerLimits.connectionsMaxIdleMs)
      .meta(meta('A connection with no traffic for this long is closed.')),
    inflightRequestsPerConnectionMax: positiveInt()
      .default(defaultBrokerLimits.inflightRequestsPerConnectionMax)
      .meta(meta('Requests read from one connection and not yet answered before reading pauses.')),
    fetchWaitMsMax: nonNegativeMs()
      .default(defaultBrokerLimits.fetchWaitMsMax)
      .meta(meta('The longest a Fetch long-polls, whatever the client asks.')),
    fetchSessionsMax: z
      .number()
      .int()
      .min(0)
      .max(int32Max)
      .default(defaultBrokerLimits.fetchSessionsMax)
      .meta(meta('Incremental fetch sessions kept (least recently used evicted).')),
    fetchSessionIdleMs: positiveInt()
      .default(defaultBrokerLimits.fetchSessionIdleMs)
      .meta(meta('Idle fetch sessions expire after this long.')),
    fetchStreamBytesMin: positiveInt()
      .default(defaultBrokerLimits.fetchStreamBytesMin)
      .meta(
        meta(
          'Fetch reads of at least this many bytes stream from the log to the socket (2147483647: never).',
        ),
      ),
  })
  .strict()

/** Listeners, TLS and SASL (docs/security.md). Off by default: one PLAINTEXT listener on listen_addr. */
const securitySchema = z
  .object({
    listeners: z
      .string()
      .optional()
      .meta(
        meta('Kafka listeners, NAME://host:port comma-separated (default: PLAINTEXT://<listen_addr>).', {
          valueName: '<listeners>',
        }),
      ),
    advertisedListeners: z
      .string()
      .optional()
      .meta(meta('What Metadata advertises per listener, NAME://host:port (default: the address bound).')),
    listenerSecurityProtocolMap: z
      .string()
      .optional()
      .meta(
        meta(
          'NAME:PROTOCOL pairs (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); those names map to themselves.',
        ),
      ),
    sslCertFile: z
      .string()
      .optional()
      .meta(meta('PEM certificate (chain) of SSL and SASL_SSL listeners.', { valueName: '<file>' })),
    sslKeyFile: z
      .string()
      .optional()
      .meta(meta('PEM private key of that certificate.', { valueName: '<file>' })),
    sslCaFile: z
      .string()
      .optional()
      .meta(meta('PEM CA certificates that sign client certificates (mTLS).', { valueName: '<file>' })),
    sslClientAuth: z
      .enum(['none', 'requested', 'required'])
      .default('none')
      .meta(meta('Ask TLS clients for a certificate signed by ssl_ca_file: none, requested or required.')),
    sslPrincipalMappingRules: z
      .string()
      .default('DEFAULT')
      .meta(
        meta(
          'Certificate subject to principal: DEFAULT (the whole DN) or RULE:pattern/replacement/[LU], ...',
        ),
      ),
    saslEnabledMechanisms: z
      .string()
      .default('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512')
      .meta(
        meta(
          'SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, comma-separated.',
        ),
      ),
    authUsersFile: z
      .string()
      .optional()
      .meta(
        meta('Users and passwords to bootstrap SCRAM credentials from (YAML or .toml).', {
          flag: 'auth-users-file',
          valueName: '<file>',
        }),
      ),
    failedAuthenticationDelayMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(100)
      .meta(
        meta(
          'Delay before answering a failed authentication (Kafka: connection.failed.authentication.delay.ms).',
        ),
      ),
    connectionsMaxReauthMs: nonNegativeMs()
      .default(0)
      .meta(
        meta(
          'KIP-368: longest an authenticated SASL session lasts before the client must re-authenticate (0: as long as its credential).',
        ),
      ),
    saslHandshakeTimeoutMs: nonNegativeMs()
      .default(10_000)
      .meta(meta('A SASL connection not authenticated this long after it opened is closed (0: never).')),
    saslOauthbearerJwksEndpointUrl: z
      .string()
      .min(1)
      .optional()
      .meta(
        meta('JWKS that signs OAUTHBEARER tokens: an https://, http:// or file:// URL, or a file path.', {
          valueName: '<url>',
        }),
      ),
    saslOauthbearerJwksEndpointRefreshMs: positiveInt()
      .default(3_600_000)
      .meta(meta('How long a JWKS fetched from a URL is used before it is fetched again.')),
    saslOauthbearerExpectedIssuer: z
      .string()
      .optional()
      .meta(meta('The iss claim OAUTHBEARER tokens must carry (unset: any).')),
    saslOauthbearerExpectedAudience: z
      .string()
      .default('')
      .meta(meta('Audiences, comma-separated; a token must name one of them in aud (empty: any).')),
    saslOauthbearerSubClaimName: z
      .string()
      .min(1)
      .default('sub')
      .meta(meta('The OAUTHBEARER token claim that names the principal (User:<value>).')),
    saslOauthbearerClockSkewSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .meta(meta('Clock difference tolerated when checking exp, nbf and iat of OAUTHBEARER tokens.')),
    saslOauthbearerAllowedAlgorithms: z
      .string()
      .default('RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA')
      .meta(meta('JWS algorithms accepted for OAUTHBEARER tokens, comma-separated.')),
    authorizer: z
      .boolean()
      .default(false)
      .meta(
        meta(
          'Enforce ACLs (Kafka: authorizer.class.name = StandardAuthorizer); off: everyone may do everything.',
        ),
      ),
    superUsers: z
      .string()
      .default('')
      .meta(
        meta('Principals the authorizer allows everything, semicolon-separated (Kafka: super.users).', {
          valueName: '<User:name;...>',
        }),
      ),
    allowEveryoneIfNoAclFound: z
      .boolean()
      .default(false)
      .meta(
        meta(
          'With the authorizer on, allow access to a resource no ACL names (Kafka: allow.everyone.if.no.acl.found).',
        ),
      ),
    delegationTokenSecretKey: z
      .string()
      .min(1)
      .optional()
      .meta(
        meta(
          'Secret that signs delegation tokens (HMAC-SHA512); unset: the token APIs answer DELEGATION_TOKEN_AUTH_DISABLED.',
          { valueName: '<secret>' },
        ),
      ),
    delegationTokenMaxLifetimeMs: positiveInt()
      .default(604_800_000)
      .meta(meta('Longest a delegation token can live, renewals included.')),
    delegationTokenExpiryTimeMs: positiveInt()
      .default(86_400_000)
      .meta(meta('How long a new or renewed delegation token lives before it must be renewed.')),
    delegationTokenExpiryCheckIntervalMs: positiveInt()
      .default(3_600_000)
      .meta(meta('How often expired delegation tokens are removed from the data dir.')),
  })
  .strict()

export const configSchema = z
  .object({
    listenAddr: hostPort
      .default('127.0.0.1:9092')
      .meta(meta('Kafka listener (port 0 picks a free port).', { valueName: '<host:port>' })),
    advertisedAddr: hostPort
      .optional()
      .meta(
        meta('Address given to clients in Metadata (default: the listener).', { valueName: '<host:port>' }),
      ),
    httpAddr: hostPort
      .default('127.0.0.1:9094')
      .meta(meta('HTTP port: health, metrics, admin REST API.', { valueName: '<host:port>' })),
    httpEnabled: z
      .boolean()
      .default(true)
      .meta(meta('Serve the HTTP port (--no-http turns it off).', { flag: 'http' })),
    registryAddr: hostPort
      .default('127.0.0.1:8081')
      .meta(meta('Schema registry (Confluent REST API).', { valueName: '<host:port>' })),
    registryEnabled: z
      .boolean()
      .default(true)
      .meta(meta('Serve the schema registry (--no-registry turns it off).', { flag: 'registry' })),
    registryListeners: z
      .string()
      .optional()
      .meta(
        meta(
          "Schema registry listener as Confluent's listeners: http://host:port or https://host:port (TLS with security.ssl_cert_file and ssl_key_file); replaces registry_addr.",
          { valueName: '<url>' },
        ),
      ),
    registryAuthenticationMethod: z
      .enum(['AUTO', 'BASIC', 'NONE'])
      .default('AUTO')
      .meta(
        meta(
          "Schema registry HTTP auth (Confluent's authentication.method): BASIC always, NONE never, AUTO as soon as the broker has SCRAM users.",
        ),
      ),
    connectAddr: hostPort
      .default('127.0.0.1:8083')
      .meta(meta('Kafka Connect REST API of the built-in Connect worker.', { valueName: '<host:port>' })),
    connectEnabled: z
      .boolean()
      .default(true)
      .meta(
        meta('Run the built-in Connect worker and its REST API (--no-connect turns it off).', {
          flag: 'connect',
        }),
      ),
    connectExactlyOnceSourceSupport: z
      .enum(['disabled', 'preparing', 'enabled'])
      .default('disabled')
      .meta(
        meta(
          "The built-in Connect worker's exactly.once.source.support (KIP-618): enabled runs source tasks in transactions.",
        ),
      ),
    connectGroupId: z
      .string()
      .default('')
      .meta(
        meta(
          "Kafka Connect's group.id for the built-in worker: set, it joins that Connect group (distributed mode) with `streamline connect --group-id` workers; empty, it runs alone.",
          { valueName: '<id>' },
        ),
      ),
    connectProtocol: z
      .enum(['compatible', 'eager'])
      .default('compatible')
      .meta(
        meta(
          "The built-in worker's Kafka connect.protocol in its Connect group: compatible (incremental cooperative) or eager (Kafka's sessioned protocol is not offered).",
        ),
      ),
    connectSessionTimeoutMs: positiveInt()
      .default(10_000)
      .meta(meta("The built-in worker's Connect group session.timeout.ms.")),
    connectHeartbeatIntervalMs: positiveInt()
      .default(3_000)
      .meta(meta("The built-in worker's Connect group heartbeat.interval.ms.")),
    connectRebalanceTimeoutMs: positiveInt()
      .default(60_000)
      .meta(meta("The built-in worker's Connect group rebalance.timeout.ms.")),
    connectScheduledRebalanceMaxDelayMs: nonNegativeMs()
      .default(300_000)
      .meta(
        meta(
          "The built-in worker's scheduled.rebalance.max.delay.ms: how long a departed worker's work waits for it.",
        ),
      ),
    connectPluginPath: z
      .string()
      .default('')
      .meta(
        meta('Connect plugin.path: directories (comma-separated) whose JS modules are connector plugins.', {
          valueName: '<dir,dir…>',
        }),
      ),
    connectMetricsSampleWindowMs: positiveInt()
      .default(30_000)
      .meta(
        meta(
          "The built-in worker's metrics.sample.window.ms: one sample of the Connect metrics' averages, maxima, rates and percentages.",
        ),
      ),
    connectMetricsNumSamples: positiveInt()
      .default(2)
      .meta(
        meta(
          "The built-in worker's metrics.num.samples: the Connect metrics cover this many sample windows.",
        ),
      ),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .meta(
        meta('Where topics and the broker state are stored (Kafka: the first of log.dirs).', {
          valueName: '<dir>',
        }),
      ),
    logDirs: z
      .string()
      .default('')
      .meta(
        meta(
          'More log directories, comma-separated: partitions are placed across data_dir and these, and move between them with AlterReplicaLogDirs (Kafka: log.dirs after its first entry).',
          { valueName: '<dir,dir>' },
        ),
      ),
    inMemory: z.boolean().default(false).meta(meta('Keep everything in memory; nothing is written to disk.')),
    playground: z
      .boolean()
      .default(false)
      .meta(meta('Create demo topics and produce a little live sample data into them.')),
    nodeId: z
      .number()
      .int()
      .min(0)
      .max(int32Max)
      .default(0)
      .meta(meta('This broker id (Kafka: node.id, broker.id).', { valueName: '<n>' })),
    brokerRack: z
      .string()
      .max(255)
      .default('')
      .meta(
        meta(
          "This broker's rack or availability zone (Kafka: broker.rack): shown in Metadata and DescribeCluster; in cluster mode a consumer with client.rack fetches from a broker of its rack (KIP-392). Empty: none.",
          { valueName: '<rack>' },
        ),
      ),
    logLevel: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      .default('info')
      .meta(meta('Log level.', { valueName: '<level>' })),
    logFormat: z
      .enum(['auto', 'json', 'pretty'])
      .default('auto')
      .meta(meta('auto: readable text on a terminal, JSON lines otherwise.', { valueName: '<format>' })),
    shutdownTimeoutMs: nonNegativeMs()
      .default(10_000)
      .meta(meta('On SIGTERM, how long in-flight requests may take before connections are closed.')),
    topics: topicsSchema.default(topicsSchema.parse({})),
    flush: flushSchema.default(flushSchema.parse({})),
    groups: groupsSchema.default(groupsSchema.parse({})),
    limits: limitsSchema.default(limitsSchema.parse({})),
    security: securitySchema.default(securitySchema.parse({})),
    tieredStorage: tieredStorageSchema.default(tieredStorageSchema.parse({})),
    cluster: clusterSchema.default(clusterSchema.parse({})),
    otel: otelSchema.default(otelSchema.parse({})),
    sql: sqlSchema.default(sqlSchema.parse({})),
  })
  .strict()
  .superRefine(checkSecurity)
  .superRefine((config, context) => checkTieredStorage(config.tieredStorage, context))
  .superRefine((config, context) => checkCluster(config.cluster, context))
  .superRefine((config, context) => checkSql(config.sql, context))

/** The validated configuration every part of the process reads. */
export type StreamlineConfig = z.output<typeof configSchema>
/** What a caller may pass (embedded start): every field optional, sections partial. */
export type StreamlineConfigInput = z.input<typeof configSchema>

export const defaultConfig: StreamlineConfig = configSchema.parse({})
