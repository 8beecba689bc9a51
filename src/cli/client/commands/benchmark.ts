// `benchmark`: a produce then consume load against a topic, with named profiles. Prints records/s,
// MB/s and p50/p99/p99.9 latency: for produce the time from sending a batch to its acknowledgement,
// for consume the time of each fetch round. Uses a fresh topic (deleted afterwards) unless --topic.
import { randomBytes } from 'node:crypto'
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parseNonNegativeInteger, parsePositiveInteger } from '../durations.ts'
import { UsageError } from '../errors.ts'
import { BatchSender } from '../records/batch-sender.ts'
import { fetchLoop, listOffsetsAt } from '../records/fetch-loop.ts'
import { topicMetadata } from '../topic-metadata.ts'

export const benchmarkProfiles = {
  smoke: {
    records: 1_000,
    recordBytes: 100,
    partitions: 1,
    description: 'a quick check that the path works',
  },
  small: { records: 100_000, recordBytes: 100, partitions: 1, description: '100k records of 100 bytes' },
  throughput: {
    records: 1_000_000,
    recordBytes: 100,
    partitions: 3,
    description: '1M records of 100 bytes over 3 partitions',
  },
  large: { records: 10_000, recordBytes: 10_240, partitions: 1, description: '10k records of 10 KiB' },
} as const
type ProfileName = keyof typeof benchmarkProfiles

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]
}

interface PhaseResult {
  phase: string
  records: number
  seconds: number
  recordsPerSecond: number
  megabytesPerSecond: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
}

function phaseResult(
  phase: string,
  records: number,
  bytes: number,
  seconds: number,
  latencies: number[],
): PhaseResult {
  const sorted = [...latencies].sort((a, b) => a - b)
  const round = (value: number): number => Math.round(value * 100) / 100
  return {
    phase,
    records,
    seconds: round(seconds),
    recordsPerSecond: Math.round(records / seconds),
    megabytesPerSecond: round(bytes / seconds / 1024 / 1024),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    p999Ms: round(percentile(sorted, 0.999)),
  }
}

async function benchmark(context: CliContext, command: Command): Promise<void> {
  const profileName = command.processedArgs[0] as string
  const options = command.opts<{
    listProfiles?: boolean
    topic?: string
    records?: string
    recordSize?: string
    partitions?: string
  }>()
  if (options.listProfiles === true) {
    const rows = Object.entries(benchmarkProfiles).map(([name, profile]) => ({ name, ...profile }))
    context.output.result({ profiles: rows }, () =>
      context.output.table(
        [
          { header: 'profile', key: 'name' },
          { header: 'records', key: 'records', alignRight: true },
          { header: 'bytes', key: 'recordBytes', alignRight: true },
          { header: 'partitions', key: 'partitions', alignRight: true },
          { header: 'description', key: 'description' },
        ],
        rows,
      ),
    )
    return
  }
  const profile = benchmarkProfiles[profileName as ProfileName]
  if (profile === undefined)
    throw new UsageError(
      `benchmark: profile '${profileName}' is not one of ${Object.keys(benchmarkProfiles).join(', ')}`,
    )
  const records =
    options.records === undefined ? profile.records : parsePositiveInteger(options.records, '--records')
  const recordBytes =
    options.recordSize === undefined
      ? profile.recordBytes
      : parseNonNegativeInteger(options.recordSize, '--record-size')
  const partitions =
    options.partitions === undefined
      ? profile.partitions
      : parsePositiveInteger(options.partitions, '--partitions')
  const admin = await context.kafka.admin()
  const topic = options.topic ?? `streamline-cli-benchmark-${Date.now()}`
  if (options.topic === undefined)
    await context.kafka.call(
      `creating ${topic}`,
      admin.createTopics({ topics: [topic], partitions, replicas: 1 }),
    )
  try {
    const metadata = await topicMetadata(context, topic)
    const producer = await context.kafka.producer({ acks: -1 })
    const produceLatencies: number[] = []
    const sender = new BatchSender(producer, topic, metadata.partitionCount, {
      acks: -1,
      batchRecordsMax: 2000,
      inFlightMax: 4,
      onBatchAcknowledged: (_count, latencyMs) => produceLatencies.push(latencyMs),
    })
    const value = randomBytes(recordBytes)
    const consumer = await context.kafka.consumer('streamline-cli-benchmark')
    const allPartitions = [...Array(metadata.partitionCount).keys()]
    const before = await listOffsetsAt(context, consumer, topic, allPartitions, -1n, 0)
    let started = performance.now()
    for (let index = 0; index < records && !context.interrupt.aborted; index++) {
      await sender.add({ key: null, value, headers: [], partition: index % metadata.partitionCount })
    }
    await context.kafka.call('producing', sender.flush())
    const produced = phaseResult(
      'produce',
      sender.recordsSent,
      sender.recordsSent * recordBytes,
      (performance.now() - started) / 1000,
      produceLatencies,
    )
    const ends = await listOffsetsAt(context, consumer, topic, allPartitions, -1n, 0)
    const consumeLatencies: number[] = []
    let consumed = 0
    started = performance.now()
    let roundStarted = performance.now()
    for await (const batch of fetchLoop(context, consumer, {
      topic: metadata,
      positions: before,
      ends,
      isolationLevel: 0,
      maxWaitMs: 100,
    })) {
      consumed += batch.length
      consumeLatencies.push(performance.now() - roundStarted)
      roundStarted = performance.now()
    }
    const fetched = phaseResult(
      'consume',
      consumed,
      consumed * recordBytes,
      (performance.now() - started) / 1000,
      consumeLatencies,
    )
    const results = [produced, fetched]
    context.output.result(
      { profile: profileName, topic, recordBytes, partitions: metadata.partitionCount, results },
      () => {
        context.output.line(
          `benchmark ${profileName}: ${records} records of ${recordBytes} bytes, ${metadata.partitionCount} partition(s), topic ${topic}`,
        )
        context.output.table(
          [
            { header: 'phase', key: 'phase' },
            { header: 'records', key: 'records', alignRight: true },
            { header: 'seconds', key: 'seconds', alignRight: true },
            { header: 'records/s', key: 'recordsPerSecond', alignRight: true },
            { header: 'MB/s', key: 'megabytesPerSecond', alignRight: true },
            { header: 'p50 ms', key: 'p50Ms', alignRight: true },
            { header: 'p99 ms', key: 'p99Ms', alignRight: true },
            { header: 'p99.9 ms', key: 'p999Ms', alignRight: true },
          ],
          results.map((result) => ({ ...result })),
        )
      },
    )
  } finally {
    if (options.topic === undefined)
      await context.kafka
        .call(`deleting ${topic}`, admin.deleteTopics({ topics: [topic] }))
        .catch(() => undefined)
  }
}

export const registerBenchmark: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('benchmark')
      .description('produce then consume load with named profiles: records/s, MB/s, p50/p99/p99.9 latency')
      .argument('[profile]', `load profile: ${Object.keys(benchmarkProfiles).join(', ')}`, 'small')
      .option('--list-profiles', 'list the profiles')
      .option('--topic <topic>', 'use this (existing) topic instead of a fresh one')
      .option('--records <n>', "override the profile's record count")
      .option('--record-size <bytes>', "override the profile's record size")
      .option('--partitions <n>', "override the profile's partition count (fresh topic)")
      .action(runCommand(io, benchmark)),
  )
}
