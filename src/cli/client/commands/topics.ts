// `topics list|create|describe|delete|alter` (watch: topics-watch.ts; export/import:
// topics-transfer.ts). Admin calls through @platformatic/kafka: CreateTopics, DeleteTopics,
// CreatePartitions, DescribeConfigs, IncrementalAlterConfigs, ListOffsets, DescribeLogDirs.
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { collect, parseKeyValue, parsePositiveInteger } from '../durations.ts'
import { CliFailure, UsageError } from '../errors.ts'
import { remoteStorageColumns, remoteStorageState } from '../remote-storage-state.ts'
import { topicMetadata } from '../topic-metadata.ts'
import { partitionOffsets, partitionSizes, topicPartitionCounts } from '../topic-state.ts'
import { registerTopicsTransfer } from './topics-transfer.ts'
import { registerTopicsWatch } from './topics-watch.ts'

const configSourceTopic = 1
const configSourceDefault = 5
const resourceTypeTopic = 2

async function list(context: CliContext): Promise<void> {
  const counts = await topicPartitionCounts(context)
  const topics = [...counts].map(([name, partitions]) => ({ name, partitions }))
  context.output.result({ topics }, () =>
    context.output.table(
      [
        { header: 'topic', key: 'name' },
        { header: 'partitions', key: 'partitions', alignRight: true },
      ],
      topics,
    ),
  )
}

function configEntries(values: string[] | undefined): { name: string; value: string }[] {
  return (values ?? []).map((text) => {
    const [name, value] = parseKeyValue(text, '--config')
    return { name, value }
  })
}

async function create(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const options = command.opts<{ partitions: string; replicationFactor: string; config?: string[] }>()
  const partitions = parsePositiveInteger(options.partitions, '--partitions')
  const replicas = parsePositiveInteger(options.replicationFactor, '--replication-factor')
  const admin = await context.kafka.admin()
  const [created] = await context.kafka.call(
    `creating ${topic}`,
    admin.createTopics({ topics: [topic], partitions, replicas, configs: configEntries(options.config) }),
  )
  context.output.result({ name: topic, id: created?.id, partitions, replicationFactor: replicas }, () =>
    context.output.line(
      `created topic ${topic} (${partitions} partition${partitions === 1 ? '' : 's'}, replication factor ${replicas})`,
    ),
  )
}

async function remove(context: CliContext, command: Command): Promise<void> {
  const topics = command.args
  await topicMetadata(context, topics[0]) // unknown topics fail with Kafka's error name first
  if (!(await context.confirm(`Delete topic ${topics.join(', ')} and all its records?`))) {
    throw new CliFailure('not deleted')
  }
  const admin = await context.kafka.admin()
  await context.kafka.call(`deleting ${topics.join(', ')}`, admin.deleteTopics({ topics }))
  context.output.result({ deleted: topics }, () => context.output.line(`deleted topic ${topics.join(', ')}`))
}

export interface TopicConfig {
  name: string
  value: string | null
  isDefault: boolean
}

export async function topicConfigs(context: CliContext, topic: string): Promise<TopicConfig[]> {
  const admin = await context.kafka.admin()
  const [description] = await context.kafka.call(
    `describing configs of ${topic}`,
    admin.describeConfigs({ resources: [{ resourceType: resourceTypeTopic, resourceName: topic }] }),
  )
  return (description?.configs ?? [])
    .map((config) => ({
      name: config.name,
      value: config.isSensitive ? '(sensitive)' : (config.value ?? null),
      isDefault: config.configSource === configSourceDefault || config.configSource !== configSourceTopic,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

async function describe(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const metadata = await topicMetadata(context, topic)
  const counts = new Map([[topic, metadata.partitionCount]])
  const [starts, ends, sizes, configs] = await Promise.all([
    partitionOffsets(context, counts, -2n),
    partitionOffsets(context, counts, -1n),
    partitionSizes(context, counts),
    topicConfigs(context, topic),
  ])
  const tiered = configs.some((config) => config.name === 'remote.storage.enable' && config.value === 'true')
  const remote = tiered ? await remoteStorageState(context, topic) : null
  const partitions = [...Array(metadata.partitionCount).keys()].map((partition) => ({
    partition,
    leader: metadata.leaders[partition],
    logStartOffset: starts.get(topic)?.[partition] ?? 0n,
    highWatermark: ends.get(topic)?.[partition] ?? 0n,
    sizeBytes: sizes.get(topic)?.[partition] ?? null,
    ...(remote?.get(partition) ?? {}),
  }))
  context.output.result({ name: topic, id: metadata.id, partitions, configs }, () => {
    context.output.fields([
      ['topic', topic],
      ['id', metadata.id],
      ['partitions', metadata.partitionCount],
    ])
    context.output.line()
    context.output.table(
      [
        { header: 'partition', key: 'partition', alignRight: true },
        { header: 'leader', key: 'leader', alignRight: true },
        { header: 'log-start', key: 'logStartOffset', alignRight: true },
        { header: 'end', key: 'highWatermark', alignRight: true },
        { header: 'size', key: 'sizeBytes', alignRight: true },
        ...(remote === null ? [] : remoteStorageColumns),
      ],
      partitions,
    )
    context.output.line()
    context.output.table(
      [
        { header: 'config', key: 'name' },
        { header: 'value', key: 'value' },
        { header: '', key: 'marker' },
      ],
      configs.map((config) => ({ ...config, marker: config.isDefault ? '' : '*' })),
    )
    context.output.line('(* = set on this topic)')
  })
}

async function alter(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const options = command.opts<{ config?: string[]; deleteConfig?: string[]; partitions?: string }>()
  const sets = configEntries(options.config)
  const deletions = options.deleteConfig ?? []
  if (sets.length === 0 && deletions.length === 0 && options.partitions === undefined) {
    throw new UsageError('nothing to alter: give --config, --delete-config or --partitions')
  }
  const metadata = await topicMetadata(context, topic)
  const admin = await context.kafka.admin()
  const changes: string[] = []
  if (options.partitions !== undefined) {
    const count = parsePositiveInteger(options.partitions, '--partitions')
    if (count <= metadata.partitionCount) {
      throw new CliFailure(
        `INVALID_PARTITIONS: ${topic} has ${metadata.partitionCount} partitions; the count can only grow`,
      )
    }
    // No assignments: the broker places the new partitions (Kafka's null assignment).
    const grow = { name: topic, count } as { name: string; count: number; assignments: [] }
    await context.kafka.call(`adding partitions to ${topic}`, admin.createPartitions({ topics: [grow] }))
    changes.push(`partitions ${metadata.partitionCount} -> ${count}`)
  }
  if (sets.length > 0 || deletions.length > 0) {
    await context.kafka.call(
      `altering configs of ${topic}`,
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: resourceTypeTopic,
            resourceName: topic,
            configs: [
              ...sets.map(({ name, value }) => ({ name, value, configOperation: 0 as const })),
              ...deletions.map((name) => ({ name, configOperation: 1 as const })),
            ],
          },
        ],
      }),
    )
    for (const { name, value } of sets) changes.push(`${name}=${value}`)
    for (const name of deletions) changes.push(`${name} reset to default`)
  }
  context.output.result({ name: topic, changes }, () =>
    context.output.line(`altered topic ${topic}: ${changes.join(', ')}`),
  )
}

export const registerTopics: RegisterCommands = (program, io) => {
  const topics = new Command('topics').description(
    'list, create, describe, alter, delete, watch, export and import topics',
  )
  topics.command('list').description('list topics and their partition counts').action(runCommand(io, list))
  topics
    .command('create')
    .description('create a topic')
    .argument('<topic>', 'topic name')
    .option('--partitions <n>', 'partition count', '1')
    .option('--replication-factor <n>', 'replicas per partition', '1')
    .option('--config <key=value>', "a topic config, Kafka's name (repeatable)", collect)
    .addHelpText(
      'after',
      '\nExample: streamline-cli topics create orders --partitions 6 --config retention.ms=86400000',
    )
    .action(runCommand(io, create))
  topics
    .command('describe')
    .description('partitions (leader, offsets, size) and configs (* = set on the topic)')
    .argument('<topic>', 'topic name')
    .action(runCommand(io, describe))
  topics
    .command('alter')
    .description('change configs or grow the partition count')
    .argument('<topic>', 'topic name')
    .option('--config <key=value>', 'set a config (repeatable), e.g. retention.ms=3600000', collect)
    .option('--delete-config <key>', 'reset a config to its default (repeatable)', collect)
    .option('--partitions <n>', 'new (larger) partition count')
    .action(runCommand(io, alter))
  topics
    .command('delete')
    .description('delete topics (asks first; -y in scripts)')
    .argument('<topics...>', 'topic names')
    .action(runCommand(io, remove))
  registerTopicsWatch(topics, io)
  registerTopicsTransfer(topics, io)
  program.addCommand(topics)
}
