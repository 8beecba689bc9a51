// Groups benchmark: does classic group coordination stall the data path? One producer sends acks=all
// Produce requests (one 1 KiB record, one request in flight) to a broker process, first alone, then
// while 100 groups of 2 members rebalance in a loop; the run reports produce latency p50/p99/max and
// throughput for both phases, and how many rebalances (generations) the groups completed.
// Run: node --import tsx bench/groups.ts   (~35 s; starts its own broker on a temporary data dir)
//
// Everything speaks the Kafka protocol through the generated codecs on raw sockets (no client
// library): each member loops JoinGroup (KIP-394 handshake) → SyncGroup (the leader assigns) →
// Heartbeat every 100 ms, rejoining when told REBALANCE_IN_PROGRESS; the second member of each group
// leaves (LeaveGroup) and joins again after 3 heartbeats, so every group rebalances about twice a
// second for the whole phase. Each phase is bounded in time.
import { cpus } from 'node:os'
import { ApiKey, ErrorCode } from '../src/protocol/generated/index.ts'
import { buildBatch } from '../src/protocol/records/batch-v2.ts'
import { type BrokerProcess, startBrokerProcess } from '../test/helpers/broker-process.ts'
import { CodecClient } from '../test/helpers/kafka-codec-client.ts'

const phaseMs = 10_000
const groups = 100
const topic = 'bench-groups'
const heartbeatIntervalMs = 100
const heartbeatsBeforeLeave = 3
const metadata = Buffer.from([0, 1, 0, 0, 0, 1, 0, topic.length, ...Buffer.from(topic), 0, 0, 0, 0])

interface PhaseResult {
  requests: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  perSecond: number
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]
}

async function producePhase(client: CodecClient, durationMs: number): Promise<PhaseResult> {
  const value = Buffer.alloc(1024, 0x61)
  const latencies: number[] = []
  const started = performance.now()
  while (performance.now() - started < durationMs) {
    const records = await buildBatch({ records: [{ timestamp: Date.now(), value }] })
    const sent = performance.now()
    const response = await client.request(ApiKey.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    })
    latencies.push(performance.now() - sent)
    const errorCode = response.responses[0].partitionResponses[0].errorCode
    if (errorCode !== ErrorCode.NONE) throw new Error(`produce failed with error ${errorCode}`)
  }
  const elapsedMs = performance.now() - started
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1],
    perSecond: latencies.length / (elapsedMs / 1000),
  }
}

interface Counters {
  generations: number
  errors: Map<number, number>
}

/** One member's loop until `deadline`: join, sync, heartbeat; `leaver` leaves and rejoins now and then. */
async function memberLoop(
  client: CodecClient,
  group: string,
  leaver: boolean,
  deadline: number,
  counters: Counters,
) {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const count = (code: number) => counters.errors.set(code, (counters.errors.get(code) ?? 0) + 1)
  let memberId = ''
  while (Date.now() < deadline) {
    const join = await client.request(
      ApiKey.JoinGroup,
      9,
      {
        groupId: group,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata }],
        reason: null,
      },
      30_000,
    )
    memberId = join.memberId
    if (join.errorCode !== ErrorCode.NONE) {
      if (join.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) count(join.errorCode)
      if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) memberId = ''
      continue
    }
    const isLeader = join.leader === memberId
    if (isLeader) counters.generations++
    const sync = await client.request(ApiKey.SyncGroup, 5, {
      groupId: group,
      generationId: join.generationId,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: isLeader
        ? join.members.map((member) => ({ memberId: member.memberId, assignment: Buffer.alloc(0) }))
        : [],
    })
    if (sync.errorCode !== ErrorCode.NONE) {
      if (sync.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) count(sync.errorCode)
      continue
    }
    for (let beat = 0; Date.now() < deadline; beat++) {
      await sleep(heartbeatIntervalMs)
      if (leaver && beat >= heartbeatsBeforeLeave) {
        await client.request(ApiKey.LeaveGroup, 5, {
          groupId: group,
          memberId: '',
          members: [{ memberId, groupInstanceId: null, reason: null }],
        })
        memberId = ''
        break
      }
      const heartbeat = await client.request(ApiKey.Heartbeat, 4, {
        groupId: group,
        generationId: join.generationId,
        memberId,
        groupInstanceId: null,
      })
      if (heartbeat.errorCode === ErrorCode.NONE) continue
      if (heartbeat.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) count(heartbeat.errorCode)
      if (heartbeat.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) memberId = ''
      break
    }
  }
}

async function main(): Promise<void> {
  const broker: BrokerProcess = await startBrokerProcess()
  const clients: CodecClient[] = []
  try {
    const producer = await CodecClient.open(broker.host, broker.port)
    clients.push(producer)
    const created = await producer.request(ApiKey.CreateTopics, 5, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    })
    if (created.topics[0].errorCode !== ErrorCode.NONE)
      throw new Error(`CreateTopics: ${created.topics[0].errorCode}`)
    await producePhase(producer, 1_000) // warm-up
    const alone = await producePhase(producer, phaseMs)

    const counters: Counters = { generations: 0, errors: new Map() }
    const members: CodecClient[] = []
    for (let index = 0; index < groups * 2; index++)
      members.push(await CodecClient.open(broker.host, broker.port))
    clients.push(...members)
    // The groups start 3.5 s early (group.initial.rebalance.delay.ms), so the measured phase sees
    // them rebalancing from its first request to its last.
    const groupsDeadline = Date.now() + 3_500 + phaseMs
    const loops = members.map((client, index) =>
      memberLoop(client, `bench-group-${index >> 1}`, index % 2 === 1, groupsDeadline, counters),
    )
    await new Promise((resolve) => setTimeout(resolve, 3_500))
    const generationsBefore = counters.generations
    const withGroups = await producePhase(producer, phaseMs)
    const generationsDuring = counters.generations - generationsBefore
    await Promise.all(loops)

    const row = (name: string, result: PhaseResult) =>
      `| ${name} | ${result.requests} | ${result.perSecond.toFixed(0)}/s | ${result.p50Ms.toFixed(2)} ms | ${result.p99Ms.toFixed(2)} ms | ${result.maxMs.toFixed(2)} ms |`
    console.log(
      `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}`,
    )
    console.log('| phase | produce requests | rate | p50 | p99 | max |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    console.log(row('producer alone', alone))
    console.log(row(`with ${groups} groups × 2 rebalancing`, withGroups))
    console.log(
      `rebalances (generations) completed during the measured phase: ${generationsDuring} ` +
        `(${(generationsDuring / (phaseMs / 1000)).toFixed(0)}/s); unexpected error codes: ` +
        `${JSON.stringify(Object.fromEntries(counters.errors))}`,
    )
  } finally {
    for (const client of clients) client.close()
    await broker.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
