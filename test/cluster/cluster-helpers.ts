// A whole cluster for tests: a real PostgreSQL (test/helpers/postgres-cluster-server.ts), a real S3
// API server process (s3rver, test/helpers/s3-server.ts) and broker processes started with
// --cluster-metadata and --object-store, every listener on a free port. Short heartbeat and lease
// timings so failover tests take seconds. Whoever calls startCluster disposes it.

import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type PostgresServer, startPostgresServer } from '../helpers/postgres-cluster-server.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../helpers/s3-server.ts'

export const testHeartbeatIntervalMs = 200
export const testLeaseTimeoutMs = 1_500

export interface TestCluster {
  postgres: PostgresServer
  s3: S3Server
  brokers: BrokerProcess[]
  /** Starts one more broker of this cluster. */
  addBroker(): Promise<BrokerProcess>
  /** Every broker still running, as a bootstrap list. */
  bootstrap(): string
  dispose(): Promise<void>
}

export function clusterArgs(postgres: PostgresServer, s3: S3Server): string[] {
  return [
    '--cluster-metadata',
    postgres.url,
    '--object-store',
    `s3://${s3.bucket}/cluster-test`,
    '--cluster-s3-endpoint',
    s3.endpoint,
    '--cluster-s3-force-path-style',
    '--cluster-s3-access-key-id',
    s3rverAccessKey,
    '--cluster-s3-secret-access-key',
    s3rverAccessKey,
    '--cluster-heartbeat-interval-ms',
    String(testHeartbeatIntervalMs),
    '--cluster-lease-timeout-ms',
    String(testLeaseTimeoutMs),
    '--no-registry',
    '--no-connect',
    '--log-format',
    'json',
  ]
}

export async function startCluster(brokerCount: number): Promise<TestCluster> {
  const postgres = await startPostgresServer()
  const s3 = await startS3Server('streamline-cluster')
  const brokers: BrokerProcess[] = []
  const addBroker = async (): Promise<BrokerProcess> => {
    const broker = await startBrokerProcess({ args: clusterArgs(postgres, s3), listeningTimeoutMs: 60_000 })
    brokers.push(broker)
    return broker
  }
  const cluster: TestCluster = {
    postgres,
    s3,
    brokers,
    addBroker,
    bootstrap: () =>
      brokers
        .filter((broker) => broker.isAlive())
        .map((broker) => broker.bootstrap)
        .join(','),
    async dispose() {
      await Promise.all(brokers.map((broker) => broker.kill()))
      await s3.dispose()
      await postgres.dispose()
    },
  }
  try {
    for (let index = 0; index < brokerCount; index++) await addBroker()
  } catch (error) {
    await cluster.dispose()
    throw error
  }
  return cluster
}
