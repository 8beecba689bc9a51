// `migrate from-kafka --kafka-servers <bootstrap>`: copies topics (partition counts and the configs
// set on them), their records (keys, values, headers, timestamps, same partitions) and consumer group
// offsets from another Kafka-compatible cluster to the one -b names. A plan by default; --execute
// applies it. Resumable: progress (next source offset per partition, translated group offsets) is
// checkpointed after every copied chunk in <cli home>/migrations/, so a rerun continues where the
// last one stopped. Group offsets are translated through the copy: a committed source offset maps to
// the target offset of the first record copied at or after it.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { cliHome } from '../cli-home.ts'
import { CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { committedOffsets } from '../group-state.ts'
import { BatchSender } from '../records/batch-sender.ts'
import { fetchLoop, listOffsetsAt } from '../records/fetch-loop.ts'
import { topicMetadata } from '../topic-metadata.ts'
import { partitionOffsets, topicPartitionCounts } from '../topic-state.ts'
import { addSourceOptions, resolveSourceSettings, type SourceOptionValues } from './migrate-source.ts'
import { topicConfigs } from './topics.ts'

interface Checkpoint {
  /** `topic:partition` → next source offset to copy. */
  next: Record<string, string>
  /** `group|topic:partition` → target offset. */
  groupOffsets: Record<string, string>
}

interface TopicPlan {
  topic: string
  partitions: number
  configs: Record<string, string>
  existsOnTarget: boolean
  records: bigint
  remaining: bigint
}

async function loadCheckpoint(path: string): Promise<Checkpoint> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Checkpoint
  } catch {
    return { next: {}, groupOffsets: {} } // no checkpoint yet: a fresh migration
  }
}

async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(`${path}.tmp`, JSON.stringify(checkpoint))
  await rename(`${path}.tmp`, path)
}

async function migrate(target: CliContext, command: Command): Promise<void> {
  const options = command.opts<SourceOptionValues & { topics?: string; groups?: string; execute?: boolean }>()
  const sourceSettings = await resolveSourceSettings(options, target)
  const source = new CliContext(target.io, sourceSettings, target.output, undefined)
  const checkpointPath = join(
    cliHome(target.io.env),
    'migrations',
    `${createHash('sha256')
      .update(`${sourceSettings.bootstrap.join(',')}->${target.settings.bootstrap.join(',')}`)
      .digest('hex')
      .slice(0, 16)}.json`,
  )
  try {
    const wanted = options.topics?.split(',').filter((name) => name !== '')
    const counts = await topicPartitionCounts(source, wanted)
    const targetCounts = await topicPartitionCounts(target)
    const checkpoint = await loadCheckpoint(checkpointPath)
    const [starts, ends] = await Promise.all([
      partitionOffsets(source, counts, -2n),
      partitionOffsets(source, counts, -1n),
    ])
    const plans: TopicPlan[] = []
    for (const [topic, partitions] of counts) {
      const configs = Object.fromEntries(
        (await topicConfigs(source, topic))
          .filter((config) => !config.isDefault && config.value !== null)
          .map((config) => [config.name, config.value as string]),
      )
      let records = 0n
      let remaining = 0n
      for (let partition = 0; partition < partitions; partition++) {
        const start = starts.get(topic)?.[partition] ?? 0n
        const end = ends.get(topic)?.[partition] ?? 0n
        const next = BigInt(checkpoint.next[`${topic}:${partition}`] ?? start)
        records += end - start
        remaining += end > next ? end - next : 0n
      }
      plans.push({ topic, partitions, configs, existsOnTarget: targetCounts.has(topic), records, remaining })
    }
    const sourceAdmin = await source.kafka.admin()
    const groupIds =
      options.groups?.split(',') ??
      [...(await source.kafka.call('listing groups', sourceAdmin.listGroups())).keys()].sort()
    const groupPlans: {
      groupId: string
      offsets: { topic: string; partition: number; sourceOffset: bigint }[]
    }[] = []
    for (const groupId of groupIds) {
      const committed = await committedOffsets(source, groupId)
      const offsets = [...committed]
        .filter(([topic]) => counts.has(topic))
        .flatMap(([topic, byPartition]) =>
          [...byPartition].map(([partition, sourceOffset]) => ({ topic, partition, sourceOffset })),
        )
      if (offsets.length > 0) groupPlans.push({ groupId, offsets })
    }
    const execute = options.execute === true
    if (execute) await copyAll(source, target, plans, groupPlans, checkpoint, checkpointPath)
    const document = {
      source: sourceSettings.bootstrap.join(','),
      target: target.settings.bootstrap.join(','),
      executed: execute,
      topics: plans.map((plan) => ({ ...plan, remaining: execute ? 0n : plan.remaining })),
      groups: groupPlans.map((plan) => ({ groupId: plan.groupId, partitions: plan.offsets.length })),
    }
    target.output.result(document, () => {
      target.output.table(
        [
          { header: 'topic', key: 'topic' },
          { header: 'partitions', key: 'partitions', alignRight: true },
          { header: 'records', key: 'records', alignRight: true },
          { header: 'to copy', key: 'remaining', alignRight: true },
          { header: 'on target', key: 'onTarget' },
          { header: 'configs', key: 'configText' },
        ],
        document.topics.map((plan) => ({
          ...plan,
          onTarget: plan.existsOnTarget ? 'exists' : execute ? 'created' : 'create',
          configText:
            Object.entries(plan.configs)
              .map(([name, value]) => `${name}=${value}`)
              .join(',') || '-',
        })),
      )
      for (const group of document.groups)
        target.output.line(
          `group ${group.groupId}: offsets of ${group.partitions} partition(s)${execute ? ' copied' : ' to copy'}`,
        )
      target.output.line(
        execute ? 'migrated' : 'plan only: nothing changed; add --execute to apply (reruns resume)',
      )
    })
  } finally {
    await source.kafka.close()
  }
}

async function copyAll(
  source: CliContext,
  target: CliContext,
  plans: TopicPlan[],
  groupPlans: { groupId: string; offsets: { topic: string; partition: number; sourceOffset: bigint }[] }[],
  checkpoint: Checkpoint,
  checkpointPath: string,
): Promise<void> {
  const targetAdmin = await target.kafka.admin()
  for (const plan of plans.filter((entry) => !entry.existsOnTarget)) {
    await target.kafka.call(
      `creating ${plan.topic}`,
      targetAdmin.createTopics({
        topics: [plan.topic],
        partitions: plan.partitions,
        replicas: 1,
        configs: Object.entries(plan.configs).map(([name, value]) => ({ name, value })),
      }),
    )
  }
  const consumer = await source.kafka.consumer('streamline-cli-migrate')
  const producer = await target.kafka.producer({ acks: -1 })
  for (const plan of plans) {
    const metadata = await topicMetadata(source, plan.topic)
    const partitions = [...Array(plan.partitions).keys()]
    const starts = await listOffsetsAt(source, consumer, plan.topic, partitions, -2n, 0)
    const ends = await listOffsetsAt(source, consumer, plan.topic, partitions, -1n, 0)
    for (const partition of partitions) {
      const key = `${plan.topic}:${partition}`
      const positions = new Map([[partition, BigInt(checkpoint.next[key] ?? starts.get(partition) ?? 0n)]])
      const wanted = groupPlans.flatMap((group) =>
        group.offsets
          .filter((entry) => entry.topic === plan.topic && entry.partition === partition)
          .map((entry) => ({ ...entry, groupId: group.groupId })),
      )
      const loop = fetchLoop(source, consumer, {
        topic: metadata,
        positions,
        ends: new Map([[partition, ends.get(partition) ?? 0n]]),
        isolationLevel: 0,
        maxWaitMs: 100,
      })
      for await (const records of loop) {
        const sender = new BatchSender(producer, plan.topic, plan.partitions, { acks: -1 })
        for (const record of records) {
          const headers = record.headers.map(([name, value]): [Buffer, Buffer | null] => [
            name ?? Buffer.alloc(0),
            value,
          ])
          await sender.add({
            key: record.key,
            value: record.value,
            headers,
            timestamp: record.timestamp,
            partition,
          })
        }
        await target.kafka.call(`copying ${key}`, sender.flush())
        const base = sender.written()[0]?.firstOffset ?? 0n
        records.forEach((record, index) => {
          for (const entry of wanted) {
            const slot = `${entry.groupId}|${key}`
            if (checkpoint.groupOffsets[slot] === undefined && record.offset >= entry.sourceOffset)
              checkpoint.groupOffsets[slot] = String(base + BigInt(index))
          }
        })
        checkpoint.next[key] = String(records[records.length - 1].offset + 1n)
        await saveCheckpoint(checkpointPath, checkpoint)
      }
    }
  }
  const targetEnds = await partitionOffsets(
    target,
    new Map(plans.map((plan) => [plan.topic, plan.partitions])),
    -1n,
  )
  for (const group of groupPlans) {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>()
    for (const entry of group.offsets) {
      const slot = `${group.groupId}|${entry.topic}:${entry.partition}`
      const offset = BigInt(
        checkpoint.groupOffsets[slot] ?? targetEnds.get(entry.topic)?.[entry.partition] ?? 0n,
      )
      byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), { partition: entry.partition, offset }])
    }
    await target.kafka.call(
      `copying offsets of ${group.groupId}`,
      targetAdmin.alterConsumerGroupOffsets({
        groupId: group.groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    )
  }
  await saveCheckpoint(checkpointPath, checkpoint)
}

export const registerMigrate: RegisterCommands = (program, io) => {
  const migrateCommand = new Command('migrate').description(
    'move topics, data and group offsets from another cluster',
  )
  const fromKafka = migrateCommand
    .command('from-kafka')
    .description(
      'copy topics (partitions, configs), records and group offsets from a Kafka cluster to -b (plan unless --execute)',
    )
    .option('--kafka-servers <host:port,...>', 'the source cluster (or the bootstrap of --kafka-profile)')
  addSourceOptions(fromKafka)
  fromKafka
    .option('--topics <a,b>', 'only these topics (default: every non-internal topic)')
    .option('--groups <a,b>', 'only these groups (default: every group with offsets on the topics)')
    .option('--execute', 'apply the plan (resumes a migration that stopped)')
    .addHelpText(
      'after',
      [
        '',
        'Example: streamline-cli -b 127.0.0.1:9092 migrate from-kafka --kafka-servers kafka:9092 --topics orders --execute',
        'A secured source: --kafka-sasl-mechanism SCRAM-SHA-512 --kafka-sasl-username u --kafka-tls-ca ca.pem',
        '(password from --kafka-sasl-password or STREAMLINE_KAFKA_SASL_PASSWORD), or --kafka-profile <saved profile>.',
      ].join('\n'),
    )
    .action(runCommand(io, migrate))
  program.addCommand(migrateCommand)
}
