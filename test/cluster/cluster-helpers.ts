// A whole cluster for tests: a real PostgreSQL (test/helpers/postgres-cluster-server.ts), a real S3
// API server process (s3rver, test/helpers/s3-server.ts) and broker processes started with
// --cluster-metadata and --object-store, every listener on a free port. Short heartbeat and lease
// timings so failover tests take seconds. Whoever calls startCluster disposes it.

import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type PostgresServer, startPostgresServer } from '../helpers/postgres-cluster-server.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../helpers/s3-server.ts'

export const testHeartbeatIntervalMs = 200
export const testLeaseTimeoutMs = 1_500

export interface TestCluster {
  postgres: PostgresServer
  s3: S3Server
  brokers: BrokerProcess[]
  /** Starts one more broker of this cluster (`args` after the cluster's and startCluster's). */
  addBroker(args?: readonly string[]): Promise<BrokerProcess>
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

/** `extraArgs` go to every broker, after the cluster's (so they win); `argsOf(index)` to the
 * index-th broker started here only (a rack per broker). */
export async function startCluster(
  brokerCount: number,
  extraArgs: readonly string[] = [],
  argsOf: (index: number) => readonly string[] = () => [],
): Promise<TestCluster> {
  const postgres = await startPostgresServer()
  const s3 = await startS3Server('streamline-cluster')
  const brokers: BrokerProcess[] = []
  const addBroker = async (args: readonly string[] = []): Promise<BrokerProcess> => {
    const broker = await startBrokerProcess({
      args: [...clusterArgs(postgres, s3), ...extraArgs, ...args],
      listeningTimeoutMs: 60_000,
    })
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
    for (let index = 0; index < brokerCount; index++) await addBroker(argsOf(index))
  } catch (error) {
    await cluster.dispose()
    throw error
  }
  return cluster
}

/** Polls `probe` every 100 ms until it answers non-null (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== null) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Everything in `topic`, read with kcat from `bootstrap`: partition → values in offset order. */
export function readTopic(
  bootstrap: string,
  topic: string,
  kcatArgs: string[] = [],
): Promise<Map<number, string[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', [
      ...kcatArgs,
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p|%o|%s\n',
    ])
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('close', (status) => {
      clearTimeout(timer)
      if (status !== 0) {
        reject(new Error(`kcat exited ${status}: ${stderr}`))
        return
      }
      const rows = stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('|'))
        .map(([partition, offset, value]) => ({
          partition: Number(partition),
          offset: Number(offset),
          value,
        }))
        .sort((a, b) => a.offset - b.offset)
      const byPartition = new Map<number, string[]>()
      for (const row of rows)
        byPartition.set(row.partition, [...(byPartition.get(row.partition) ?? []), row.value])
      resolve(byPartition)
    })
  })
}
