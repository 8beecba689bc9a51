// Cluster mode (issue 20) on this machine: a real PostgreSQL server and a real S3 API server process
// (s3rver), brokers started as processes with --cluster-metadata and --object-store and the default
// cluster settings. Measured:
//  - produce throughput (closed loop) and p50/p99 produce latency (open loop at the rate of 1 TB a day,
//    acks=all) with 1 broker, then with 3 (two more join and take their share of the partitions);
//  - object PUTs per GB ingested, counted in the bucket, at full speed and at the 1 TB/day rate, and
//    the monthly object-store bill of 1 TB/day from the latter (cluster-cost.ts) beside WarpStream's
//    documented default priced the same way;
//  - failover time: SIGKILL the broker leading the most partitions, then the time until every one of
//    its partitions accepted an acks=all produce on its new leader (and the first one).
// Every Produce goes straight to its partition's leader on a connection of its own (load/), so the
// numbers are the brokers', not a client library's batching. --quick (CI's smoke run) uses the short
// heartbeat and lease timings of the cluster tests so that failover takes seconds, not the default's.

import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiKey, ErrorCode, errorName } from '../../../src/protocol/generated/index.ts'
import { S3ObjectStore } from '../../../src/storage/tiered/s3-object-store.ts'
import { startPostgresServer } from '../../../test/helpers/postgres-cluster-server.ts'
import { s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import { type LaunchedBroker, launchBroker } from '../broker.ts'
import {
  partitionLeaders,
  partitionsByLeader,
  splitAddress,
  waitForLeaders,
} from '../load/cluster-leaders.ts'
import { LatencyHistogram } from '../load/histogram.ts'
import { decodeResponseFrame, KafkaConnection } from '../load/kafka-connection.ts'
import { buildProduceFrames, produceClosedLoop, produceOpenLoop } from '../load/paced-producer.ts'
import { createTopics } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'
import {
  bytesPerGb,
  ingestBytesPerSecond,
  monthlyCostAt,
  s3Prices,
  warpStreamBatchTimeoutMs,
  warpStreamPutsPerGb,
} from './cluster-cost.ts'

const topic = 'bench-cluster'
const partitionCount = 6
/** The 1 TB/day phase: batches of 16 KiB, as a client lingering a few ms sends them. */
const shape = { recordBytes: 1024, recordsPerBatch: 16 }
/** Full speed: batches of 256 KiB, so 16 MiB can be in flight per leader (a broker takes 100 requests
 * per connection at once): enough to fill an object of the cost profile in one flush. */
const maxShape = { recordBytes: 1024, recordsPerBatch: 256 }
const inflightPerLeader = 64
const objectPrefix = 'bench-cluster/'
const failoverTimeoutMs = 60_000

interface Phase {
  bytes: number
  seconds: number
  /** Error name → how many Produce answers had it. */
  errors: Record<string, number>
  /** Objects written to the bucket during the phase. */
  objects: number
}

/** The brokers of the cluster under test; each one's data dir is under the run's scratch dir. */
class ClusterUnderTest {
  private readonly brokers: { broker: LaunchedBroker; alive: boolean }[] = []
  constructor(
    private readonly args: string[],
    private readonly scratchDir: string,
  ) {}

  async addBroker(): Promise<LaunchedBroker> {
    const dataDir = await mkdtemp(join(this.scratchDir, 'cluster-broker-'))
    const broker = await launchBroker({ dataDir, args: this.args })
    this.brokers.push({ broker, alive: true })
    return broker
  }

  live(): LaunchedBroker[] {
    return this.brokers.filter((entry) => entry.alive).map((entry) => entry.broker)
  }

  async kill(broker: LaunchedBroker): Promise<void> {
    const entry = this.brokers.find((candidate) => candidate.broker === broker)
    if (entry !== undefined) entry.alive = false
    await broker.kill()
  }

  /** SIGTERM every live broker: each gives its leases back as it stops. */
  async stopAll(): Promise<void> {
    for (const entry of this.brokers.filter((candidate) => candidate.alive)) {
      entry.alive = false
      await entry.broker.stop()
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.brokers.map((entry) => entry.broker.kill()))
  }
}

/** The cost profile: objects of up to 16 MiB, written at most once a second per broker. */
const costProfileArgs = [
  '--cluster-flush-interval-ms',
  '1000',
  '--cluster-flush-bytes',
  String(16 * 1024 * 1024),
]

async function run(context: BenchContext): Promise<void> {
  const { quick, phaseSeconds, scratchDir } = context.options
  const postgres = await startPostgresServer()
  const s3 = await startS3Server('bench-cluster')
  const store = await S3ObjectStore.open({
    bucket: s3.bucket,
    prefix: objectPrefix,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3rverAccessKey,
    secretAccessKey: s3rverAccessKey,
    requestTimeoutMs: 30_000,
  })
  const timings = quick
    ? ['--cluster-heartbeat-interval-ms', '200', '--cluster-lease-timeout-ms', '1500']
    : []
  const clusterArgs = [
    '--cluster-metadata',
    postgres.url,
    '--object-store',
    `s3://${s3.bucket}/${objectPrefix}`,
    '--cluster-s3-endpoint',
    s3.endpoint,
    '--cluster-s3-force-path-style',
    '--cluster-s3-access-key-id',
    s3rverAccessKey,
    '--cluster-s3-secret-access-key',
    s3rverAccessKey,
    '--no-registry',
    '--no-connect',
    ...timings,
  ]
  // s3rver answers a listing that meets an object being written with InternalError: list again.
  const objectCount = async (): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await store.list('')).length
      } catch (error) {
        if (attempt === 5) throw error
        await sleep(200)
      }
    }
  }
  const clusters: ClusterUnderTest[] = []
  try {
    const defaults = new ClusterUnderTest(clusterArgs, scratchDir)
    clusters.push(defaults)
    const first = await defaults.addBroker()
    await createTopics(first.host, first.port, [{ name: topic, partitions: partitionCount }])
    const durationMs = phaseSeconds * 1000
    let atDefaults: ProfileResult | null = null
    for (const size of [1, 3] as const) {
      while (defaults.live().length < size) await defaults.addBroker()
      atDefaults = await measureProduce(context, defaults, objectCount, durationMs, `brokers${size}`)
    }
    await measureFailover(context, defaults, quick ? 1 : 3)
    // The same cluster's brokers replaced by three with the cost profile (graceful stops: the
    // partitions move at once instead of after the lease timeout). Not in --quick: three more broker
    // starts, and half-second phases say nothing about a profile that flushes once a second.
    let atCostProfile: ProfileResult | null = null
    if (!quick) {
      await defaults.stopAll()
      const costly = new ClusterUnderTest([...clusterArgs, ...costProfileArgs], scratchDir)
      clusters.push(costly)
      while (costly.live().length < 3) await costly.addBroker()
      atCostProfile = await measureProduce(context, costly, objectCount, durationMs, 'brokers3.costProfile')
    }
    if (atDefaults !== null) recordPutsPerGb(context, atDefaults, atCostProfile, 3)
  } finally {
    for (const cluster of clusters) await cluster.dispose()
    store.close()
    await s3.dispose()
    await postgres.dispose()
  }
}

/** Full speed, then the 1 TB/day rate, on the cluster's live brokers once each leads a share. */
async function measureProduce(
  context: BenchContext,
  cluster: ClusterUnderTest,
  objectCount: () => Promise<number>,
  durationMs: number,
  name: string,
): Promise<ProfileResult> {
  const size = cluster.live().length
  const leaders = await waitForLeaders(cluster.live()[0].bootstrap, topic, partitionCount, size, 60_000)
  const what = `cluster ${name.replace('brokers', '').replace('.costProfile', ' (cost profile)')} broker(s)`
  context.log(`${what}: partitions led by ${new Set(leaders.leaders.values()).size}`)
  const max = await measured(objectCount, () => produceMax(leaders.leaders, durationMs))
  context.record({
    id: `cluster.${name}.produce.mbPerSec`,
    label: `${what}: produce acks=all, closed loop`,
    value: max.bytes / 1e6 / max.seconds,
    unit: 'MB/s',
    details: {
      partitions: partitionCount,
      ...max.errors,
      objects: max.objects,
      shape: '256 x 1 KiB per batch',
    },
  })
  const rated = await measured(objectCount, () => produceAtRate(leaders.leaders, durationMs))
  const details = { samples: rated.latency.count, lost: rated.lost, ...rated.errors }
  const rate = `${(ingestBytesPerSecond / 1e6).toFixed(1)} MB/s`
  for (const percentile of [50, 99]) {
    context.record({
      id: `cluster.${name}.produce.p${percentile}Ms`,
      label: `${what}: produce latency at 1 TB/day (${rate}, open loop), p${percentile}`,
      value: rated.latency.percentileMs(percentile),
      unit: 'ms',
      details,
    })
  }
  return { max, rated }
}

/** Runs a produce phase and counts the objects the cluster wrote meanwhile. */
async function measured<T extends Omit<Phase, 'objects'>>(
  objectCount: () => Promise<number>,
  phase: () => Promise<T>,
): Promise<T & { objects: number }> {
  const before = await objectCount()
  const result = await phase()
  return { ...result, objects: (await objectCount()) - before }
}

/** One connection per leader with acks=all Produce frames of the partitions it leads; `share` is the
 * part of the topic's partitions they are. */
function openLanes(leaders: ReadonlyMap<number, string>, batchShape: typeof shape) {
  return Promise.all(
    [...partitionsByLeader(leaders)].map(async ([address, partitions]) => ({
      connection: await KafkaConnection.open(...splitAddress(address)),
      frames: await buildProduceFrames(topic, partitions, batchShape, -1),
      share: partitions.length / partitionCount,
    })),
  )
}

/** Every leader's partitions, as fast as acks come back, `inflightPerLeader` requests on each. */
async function produceMax(
  leaders: ReadonlyMap<number, string>,
  durationMs: number,
): Promise<Omit<Phase, 'objects'>> {
  const lanes = await openLanes(leaders, maxShape)
  try {
    const results = await Promise.all(
      lanes.map((lane) =>
        produceClosedLoop({
          connections: [lane.connection],
          frames: lane.frames,
          acks: -1,
          inflightPerConnection: inflightPerLeader,
          durationMs,
        }),
      ),
    )
    return {
      bytes: results.reduce((sum, result) => sum + result.bytes, 0),
      seconds: Math.max(...results.map((result) => result.seconds)),
      errors: errorCounts(results.map((result) => result.errors)),
    }
  } finally {
    for (const lane of lanes) lane.connection.close()
  }
}

/** Open loop at the 1 TB/day rate, each leader's share in proportion to the partitions it leads. */
async function produceAtRate(
  leaders: ReadonlyMap<number, string>,
  durationMs: number,
): Promise<Omit<Phase, 'objects'> & { latency: LatencyHistogram; lost: number }> {
  const batchesPerSecond = ingestBytesPerSecond / (shape.recordBytes * shape.recordsPerBatch)
  const lanes = await openLanes(leaders, shape)
  try {
    const started = performance.now()
    const results = await Promise.all(
      lanes.map((lane) =>
        produceOpenLoop({
          connection: lane.connection,
          frames: lane.frames,
          acks: -1,
          batchesPerSecond: batchesPerSecond * lane.share,
          durationMs,
          inflightMax: 1000,
          drainMs: 10_000,
        }),
      ),
    )
    const latency = new LatencyHistogram()
    for (const result of results) latency.add(result.ackLatency)
    const acked = results.reduce((sum, result) => sum + result.acked, 0)
    return {
      bytes: acked * shape.recordBytes * shape.recordsPerBatch,
      seconds: (performance.now() - started) / 1000,
      errors: errorCounts(results.map((result) => result.errors)),
      lost: results.reduce((sum, result) => sum + result.lost, 0),
      latency,
    }
  } finally {
    for (const lane of lanes) lane.connection.close()
  }
}

interface ProfileResult {
  max: Phase
  rated: Phase
}

function putsPerGb(phase: Phase): number {
  return phase.objects / (phase.bytes / bytesPerGb)
}

/** PUTs per GB for both profiles, the target, and the 1 TB/day bill of each beside WarpStream's. */
function recordPutsPerGb(
  context: BenchContext,
  defaults: ProfileResult,
  costProfile: ProfileResult | null,
  brokers: number,
): void {
  const profiles: [string, string, ProfileResult][] = [
    ['defaults', 'default settings (flush every 5 ms or 4 MiB)', defaults],
  ]
  if (costProfile !== null)
    profiles.push(['costProfile', 'cost profile (flush every 1 s or 16 MiB)', costProfile])
  for (const [name, description, result] of profiles) {
    for (const [phase, at] of [
      ['max', 'full speed'],
      ['oneTbPerDay', '1 TB/day'],
    ] as const) {
      const measuredPhase = phase === 'max' ? result.max : result.rated
      context.record({
        id: `cluster.putsPerGb.${name}.${phase}`,
        label: `cluster, ${brokers} brokers, ${description}: object PUTs per GB ingested at ${at}`,
        value: putsPerGb(measuredPhase),
        unit: 'PUTs/GB',
        details: { objects: measuredPhase.objects, bytes: measuredPhase.bytes },
      })
    }
    const bill = monthlyCostAt(putsPerGb(result.rated))
    context.record({
      id: `cluster.cost.${name}.monthlyDollars`,
      label: `cluster, ${description}: object-store bill of 1 TB/day per month (S3 Standard list prices)`,
      value: bill.totalDollars,
      unit: '$',
      details: {
        puts: Math.round(bill.puts),
        putDollars: round2(bill.putDollars),
        getDollars: round2(bill.getDollars),
        storageDollars: round2(bill.storageDollars),
      },
    })
  }
  const best = costProfile ?? defaults
  context.target({
    id: 'target.cluster-puts-per-gb',
    description: 'object PUTs per GB ingested under 100 (full speed)',
    actual: putsPerGb(best.max),
    comparator: '<=',
    bound: 100,
    unit: 'PUTs/GB',
    basis:
      `${costProfile === null ? 'defaults (--quick)' : 'cost profile'}: ${best.max.objects} objects for ` +
      `${(best.max.bytes / 1e6).toFixed(1)} MB; defaults: ${putsPerGb(defaults.max).toFixed(0)} PUTs/GB`,
  })
  const theirs = monthlyCostAt(warpStreamPutsPerGb(brokers))
  context.record({
    id: 'cluster.cost.warpStream.monthlyDollars',
    label: `WarpStream's documented default (a file per Agent every ${warpStreamBatchTimeoutMs} ms, ${brokers} Agents): 1 TB/day bill per month, same prices`,
    value: theirs.totalDollars,
    unit: '$',
    details: {
      putsPerGb: round2(warpStreamPutsPerGb(brokers)),
      putDollars: round2(theirs.putDollars),
      storageDollars: round2(theirs.storageDollars),
      putPrice: s3Prices.putPerRequest,
    },
  })
}

/** Produces one batch to `partition` on `address`; true when acknowledged. */
async function produceOnce(
  connections: Map<string, KafkaConnection>,
  address: string,
  partition: number,
): Promise<boolean> {
  try {
    let connection = connections.get(address)
    if (connection === undefined) {
      connection = await KafkaConnection.open(...splitAddress(address))
      connections.set(address, connection)
    }
    const { frames } = await buildProduceFrames(topic, [partition], shape, -1)
    const response = decodeResponseFrame(ApiKey.Produce, 9, await connection.send(frames[0]))
    return response.responses[0]?.partitionResponses[0]?.errorCode === ErrorCode.NONE
  } catch {
    connections.get(address)?.close()
    connections.delete(address)
    return false
  }
}

async function measureFailover(
  context: BenchContext,
  cluster: ClusterUnderTest,
  rounds: number,
): Promise<void> {
  const all = new LatencyHistogram()
  const firsts = new LatencyHistogram()
  for (let round = 0; round < rounds; round++) {
    while (cluster.live().length < 3) await cluster.addBroker()
    const survivorBootstrap = (): string => cluster.live()[0].bootstrap
    const leaders = await waitForLeaders(survivorBootstrap(), topic, partitionCount, 3, 60_000)
    const byLeader = [...partitionsByLeader(leaders.leaders)].sort((a, b) => b[1].length - a[1].length)
    const [victimAddress, moved] = byLeader[0]
    const victim = cluster.live().find((broker) => broker.bootstrap === victimAddress)
    if (victim === undefined) throw new Error(`no live broker at ${victimAddress}`)
    const connections = new Map<string, KafkaConnection>()
    await cluster.kill(victim)
    const killedAt = performance.now()
    const pending = new Set(moved)
    try {
      while (pending.size > 0) {
        if (performance.now() - killedAt > failoverTimeoutMs)
          throw new Error(
            `partitions ${[...pending]} not produced to within ${failoverTimeoutMs} ms of the kill`,
          )
        const now = await partitionLeaders(survivorBootstrap(), topic)
        for (const partition of [...pending]) {
          const address = now.leaders.get(partition)
          if (address === undefined || address === victimAddress) continue
          if (await produceOnce(connections, address, partition)) {
            const elapsed = performance.now() - killedAt
            if (pending.size === moved.length) firsts.recordMs(elapsed)
            all.recordMs(elapsed)
            pending.delete(partition)
          }
        }
        if (pending.size > 0) await sleep(50)
      }
    } finally {
      for (const connection of connections.values()) connection.close()
    }
    context.log(
      `cluster: failover round ${round + 1}: ${moved.length} partitions moved, last ${all.summary().maxMs.toFixed(0)} ms`,
    )
  }
  const details = { rounds, quickTimings: context.options.quick }
  context.record({
    id: 'cluster.failover.firstMs',
    label: 'cluster failover: SIGKILL to the first produce acknowledged on a moved partition (worst round)',
    value: firsts.summary().maxMs,
    unit: 'ms',
    details,
  })
  context.record({
    id: 'cluster.failover.allMs',
    label: 'cluster failover: SIGKILL to every moved partition acknowledging a produce (worst round)',
    value: all.summary().maxMs,
    unit: 'ms',
    details,
  })
  context.target({
    id: 'target.cluster-failover',
    description:
      'failover (kill to first successful produce on the moved partitions) under 5 s, default settings',
    actual: all.summary().maxMs / 1000,
    comparator: '<=',
    bound: 5,
    unit: 's',
    basis: `worst of ${rounds} round(s), every moved partition${context.options.quick ? '; --quick: 1.5 s leases, not the default' : ''}`,
    ...(context.options.quick ? { met: null } : {}),
  })
}

function errorCounts(perLane: readonly Map<number, number>[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const errors of perLane)
    for (const [code, count] of errors) counts[errorName(code)] = (counts[errorName(code)] ?? 0) + count
  return counts
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

export const clusterWorkload: Workload = { name: 'cluster', order: 95, run }
