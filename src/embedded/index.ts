// The embedded API: start a full Streamline broker inside your own process, e.g. in a test suite.
//
//   import { startStreamline } from 'streamline'
//   const streamline = await startStreamline()               // in memory, free ports
//   new Kafka({ brokers: [streamline.bootstrap] })
//   await fetch(`${streamline.httpUrl}/api/v1/topics`)
//   new SchemaRegistry({ host: streamline.registryUrl })   // Confluent-compatible registry
//   await streamline.close()
//
// The same result is an in-process client (src/embedded/client, docs/embedded.md): producers,
// consumers (groups shared with network members) and an admin client without a socket.
//   const producer = streamline.producer({ compression: 'zstd' })
//   await producer.send('orders', [{ key: 'a', value: 'hello' }])
//   const consumer = streamline.consumer({ groupId: 'billing', fromBeginning: true })
//   await consumer.subscribe('orders')
//   for await (const record of consumer) { ... }
//
// Options are the CLI's configuration (src/config/schema.ts) as an object, validated the same way;
// the defaults differ where a library should not surprise its host: free ports (127.0.0.1:0), in
// memory unless a dataDir is given, logs at warn. Several brokers can run in one process.

import { type RunningBroker, startBroker } from '../broker/start.ts'
import { startOptionsOf } from '../config/broker-options.ts'
import { configFromObject } from '../config/load.ts'
import type { StreamlineConfig, StreamlineConfigInput } from '../config/schema.ts'
import { createLogger, type Logger } from '../log.ts'
import type { QueryRequest, QueryResult } from '../sql/index.ts'
import { type InProcessClient, inProcessClient } from './client/index.ts'

export * from './client/index.ts'

export type { QueryRequest, QueryResult, StreamlineConfig, StreamlineConfigInput }

export interface StartStreamlineOptions extends StreamlineConfigInput {
  /** A pino logger to use instead of one made from logLevel/logFormat. */
  logger?: Logger
}

export interface Streamline extends InProcessClient {
  /** `host:port` for a Kafka client's bootstrap servers. */
  bootstrap: string
  /** `http://host:port` of the HTTP port (health, metrics, admin API), or null when disabled. */
  httpUrl: string | null
  /** `http://host:port` of the schema registry (Confluent REST API), or null when disabled. */
  registryUrl: string | null
  /** `http://host:port` of the Connect REST API (Kafka Connect's), or null when disabled. */
  connectUrl: string | null
  clusterId: string
  /** The running broker (its log manager, group coordinator and metrics). */
  broker: RunningBroker
  /** Runs one SQL query over topics (docs/sql.md). A `principal` option applies its topic ACLs. */
  query(sql: string, options?: Omit<QueryRequest, 'sql'>): Promise<QueryResult>
  /** Graceful stop: in-flight requests finish, the log is flushed and closed. Idempotent. */
  close(): Promise<void>
}

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
    producer: client.producer,
    consumer: client.consumer,
    admin: client.admin,
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
