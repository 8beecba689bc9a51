/**
 * The embedded API: start a full Streamline broker inside your own process, e.g. in a test suite.
 *
 * ```ts
 * import { startStreamline } from 'streamline'
 * const streamline = await startStreamline()               // in memory, free ports
 * new Kafka({ brokers: [streamline.bootstrap] })
 * await fetch(`${streamline.httpUrl}/api/v1/topics`)
 * new SchemaRegistry({ host: streamline.registryUrl })   // Confluent-compatible registry
 * await streamline.close()
 * ```
 *
 * The same result is an in-process client (src/embedded/client, docs/embedded.md): producers,
 * consumers (groups shared with network members) and an admin client without a socket.
 *
 * ```ts
 * const producer = streamline.producer({ compression: 'zstd' })
 * await producer.send('orders', [{ key: 'a', value: 'hello' }])
 * const consumer = streamline.consumer({ groupId: 'billing', fromBeginning: true })
 * await consumer.subscribe('orders')
 * for await (const record of consumer) { ... }
 * ```
 *
 * Options are the CLI's configuration (src/config/schema.ts) as an object, validated the same way;
 * the defaults differ where a library should not surprise its host: free ports (127.0.0.1:0), in
 * memory unless a dataDir is given, logs at warn. Several brokers can run in one process.
 * docs/embedded-testing.md shows a fixture for node:test, Vitest and Jest and what each storage mode
 * keeps.
 *
 * @packageDocumentation
 */

import { type RunningBroker, startBroker } from '../broker/start.ts'
import { startOptionsOf } from '../config/broker-options.ts'
import { configFromObject } from '../config/load.ts'
import type { StreamlineConfig, StreamlineConfigInput } from '../config/schema.ts'
import { createLogger, type Logger } from '../log.ts'
import type { QueryRequest, QueryResult } from '../sql/index.ts'
import { type InProcessClient, inProcessClient } from './client/index.ts'

export * from './client/index.ts'

export type { QueryRequest, QueryResult, StreamlineConfig, StreamlineConfigInput }

/**
 * Options of {@link startStreamline}: every option of the broker's configuration (docs/configuration.md,
 * camelCase names, sections as nested objects), all optional, validated as the CLI validates them. An
 * unknown or invalid option rejects the start with an error naming it.
 *
 * The ones a library or a test suite usually sets:
 * - `dataDir`: keep the log in this directory (created if missing); a restart with the same
 *   directory finds every record acknowledged with `acks=all`. Without it the broker is in memory.
 * - `inMemory`: keep everything in memory even when a `dataDir` is given. Default: `dataDir` is unset.
 * - `listenAddr`, `httpAddr`, `registryAddr`, `connectAddr`: `host:port` of each listener. Default
 *   `127.0.0.1:0` (a free port each); the chosen ports are on the returned {@link Streamline}.
 * - `httpEnabled`, `registryEnabled`, `connectEnabled`: `false` turns that listener off (its URL is
 *   then null).
 * - `groups.initialRebalanceDelayMs`: how long the first rebalance of an empty classic group waits for
 *   more members, Kafka's `group.initial.rebalance.delay.ms` (default 3000). Tests set 0.
 * - `topics.numPartitions`, `topics.autoCreate` and the other topic defaults.
 * - `logLevel` (default `warn`), `logFormat`, or a `logger` of your own.
 *
 * @example
 * ```ts
 * // A durable broker whose log lives in ./data, with Kafka's listener on a fixed port.
 * const streamline = await startStreamline({ dataDir: './data', listenAddr: '127.0.0.1:9092' })
 * ```
 */
export interface StartStreamlineOptions extends StreamlineConfigInput {
  /** A pino logger to use instead of one made from `logLevel`/`logFormat`. */
  logger?: Logger
}

/**
 * A running broker, as {@link startStreamline} resolves it: the addresses to give clients, SQL over
 * its topics, an in-process producer, consumer and admin client, and
 * {@link Streamline.close | close()}. Every listener is on 127.0.0.1 unless the options chose otherwise.
 */
export interface Streamline extends InProcessClient {
  /** `host:port` for a Kafka client's bootstrap servers (e.g. `127.0.0.1:40123`). */
  bootstrap: string
  /** `http://host:port` of the HTTP port (health, metrics, admin API), or null when disabled. */
  httpUrl: string | null
  /** `http://host:port` of the schema registry (Confluent REST API), or null when disabled. */
  registryUrl: string | null
  /** `http://host:port` of the Connect REST API (Kafka Connect's), or null when disabled. */
  connectUrl: string | null
  /** The cluster id Kafka clients see in Metadata; a dataDir keeps it across restarts. */
  clusterId: string
  /** The running broker (its log manager, group coordinator and metrics). */
  broker: RunningBroker
  /** Runs one SQL query over topics (docs/sql.md). A `principal` option applies its topic ACLs. */
  query(sql: string, options?: Omit<QueryRequest, 'sql'>): Promise<QueryResult>
  /** Graceful stop: in-flight requests finish, the log is flushed and closed. Idempotent. */
  close(): Promise<void>
}

/**
 * Starts a Streamline broker in this process and resolves once it serves Kafka clients, including
 * consumer groups. Several can run at once (each on its own ports and storage).
 *
 * In memory (no `dataDir`): nothing touches the disk and everything is gone after `close()`.
 * With a `dataDir`: every write acknowledged with `acks=all` was fsynced before the answer and is
 * there after a crash or a restart with the same directory.
 *
 * @param options The broker's configuration; see {@link StartStreamlineOptions}. Default: in memory,
 *   every listener on a free loopback port, logs at `warn`.
 * @returns The running broker; call {@link Streamline.close | close()} when done.
 * @throws When an option is unknown or invalid, or a listener cannot bind (e.g. a fixed port in use).
 *
 * @example
 * ```ts
 * import { startStreamline } from 'streamline'
 * import { Kafka } from 'kafkajs'
 *
 * const streamline = await startStreamline()
 * const producer = new Kafka({ brokers: [streamline.bootstrap] }).producer()
 * await producer.connect()
 * await producer.send({ topic: 'orders', messages: [{ key: 'id-1', value: 'created' }] })
 * await producer.disconnect()
 * await streamline.close()
 * ```
 */
export async function startStreamline(options: StartStreamlineOptions = {}): Promise<Streamline> {
  const { logger: givenLogger, ...input } = options
  const config = configFromObject({
    listenAddr: '127.0.0.1:0',
    httpAddr: '127.0.0.1:0',
    registryAddr: '127.0.0.1:0',
    connectAddr: '127.0.0.1:0',
    logLevel: 'warn',
    logFormat: 'json',
    inMemory: input.dataDir === undefined,
    ...input,
  })
  const logger = givenLogger ?? createLogger(config.logLevel, config.logFormat)
  const broker = await startBroker(startOptionsOf(config, logger))
  // Resolve only when group requests are served too (a test suite's first consumer must not wait).
  await broker.groupsLoaded
  const client = inProcessClient(broker)
  return {
    ...client,
    bootstrap: `${broker.host}:${broker.port}`,
    httpUrl: broker.httpPort === null ? null : `http://${broker.httpHost}:${broker.httpPort}`,
    registryUrl: broker.registryPort === null ? null : `http://${broker.registryHost}:${broker.registryPort}`,
    connectUrl: broker.connectUrl,
    clusterId: broker.logs.clusterId,
    broker,
    query: (sql, queryOptions = {}) => broker.sql.query({ ...queryOptions, sql }),
    close: () => broker.close(),
  }
}
