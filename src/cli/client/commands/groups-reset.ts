// `groups reset <group>`: moves a group's committed offsets. A plan (dry run) by default; applies
// with --execute (OffsetCommit through AlterConsumerGroupOffsets). Refuses while the group has
// members, as Kafka's tool does. New offsets are clamped to each partition's [log start, end].
import type { Command } from 'commander'
import { type CliContext, type CliIo, runCommand } from '../context.ts'
import { collect, parseBigInt } from '../durations.ts'
import { CliFailure, UsageError } from '../errors.ts'
import { committedOffsets } from '../group-state.ts'
import { parseTimeSpec } from '../records/time-spec.ts'
import { partitionOffsets, topicPartitionCounts } from '../topic-state.ts'

interface ResetOptions {
  topic?: string[]
  allTopics?: boolean
  toEarliest?: boolean
  toLatest?: boolean
  toOffset?: string
  toDatetime?: string
  shiftBy?: string
  execute?: boolean
}

type Target =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'datetime'; timestamp: bigint }
  | { kind: 'shift'; by: bigint }

export interface ResetPlanEntry {
  topic: string
  partition: number
  previousOffset: bigint | null
  newOffset: bigint
}

function targetOf(options: ResetOptions): Target {
  const targets: Target[] = []
  if (options.toEarliest === true) targets.push({ kind: 'earliest' })
  if (options.toLatest === true) targets.push({ kind: 'latest' })
  if (options.toOffset !== undefined)
    targets.push({ kind: 'offset', offset: parseBigInt(options.toOffset, '--to-offset') })
  if (options.toDatetime !== undefined) {
    targets.push({ kind: 'datetime', timestamp: BigInt(parseTimeSpec(options.toDatetime, '--to-datetime')) })
  }
  if (options.shiftBy !== undefined)
    targets.push({ kind: 'shift', by: parseBigInt(options.shiftBy, '--shift-by') })
  if (targets.length !== 1) {
    throw new UsageError(
      'give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by',
    )
  }
  return targets[0]
}

export async function planReset(
  context: CliContext,
  groupId: string,
  options: ResetOptions,
): Promise<ResetPlanEntry[]> {
  const target = targetOf(options)
  if ((options.topic === undefined) === (options.allTopics !== true)) {
    throw new UsageError('give --topic <name> (repeatable) or --all-topics')
  }
  const committed = await committedOffsets(context, groupId)
  const topics = options.allTopics === true ? [...committed.keys()].sort() : (options.topic ?? [])
  if (topics.length === 0)
    throw new CliFailure(`group '${groupId}' has no committed offsets; name the topics with --topic`)
  const counts = await topicPartitionCounts(context, topics)
  for (const topic of topics) {
    if (!counts.has(topic))
      throw new CliFailure(`UNKNOWN_TOPIC_OR_PARTITION: topic '${topic}' does not exist`)
  }
  const [starts, ends] = await Promise.all([
    partitionOffsets(context, counts, -2n),
    partitionOffsets(context, counts, -1n),
  ])
  const atTime =
    target.kind === 'datetime' ? await partitionOffsets(context, counts, target.timestamp) : undefined
  const plan: ResetPlanEntry[] = []
  for (const [topic, count] of counts) {
    for (let partition = 0; partition < count; partition++) {
      const start = starts.get(topic)?.[partition] ?? 0n
      const end = ends.get(topic)?.[partition] ?? 0n
      const previousOffset = committed.get(topic)?.get(partition) ?? null
      let wanted: bigint
      if (target.kind === 'earliest') wanted = start
      else if (target.kind === 'latest') wanted = end
      else if (target.kind === 'offset') wanted = target.offset
      else if (target.kind === 'datetime') {
        const found = atTime?.get(topic)?.[partition] ?? -1n
        wanted = found < 0n ? end : found
      } else wanted = (previousOffset ?? start) + target.by
      const newOffset = wanted < start ? start : wanted > end ? end : wanted
      plan.push({ topic, partition, previousOffset, newOffset })
    }
  }
  return plan
}

async function reset(context: CliContext, command: Command): Promise<void> {
  const [groupId] = command.args
  const options = command.opts<ResetOptions>()
  const admin = await context.kafka.admin()
  const groups = await context.kafka.call(
    `describing group ${groupId}`,
    admin.describeGroups({ groups: [groupId] }),
  )
  const group = groups.get(groupId)
  if (group !== undefined && group.members.size > 0) {
    throw new CliFailure(
      `NON_EMPTY_GROUP: group '${groupId}' is active (${group.state}, ${group.members.size} member${group.members.size === 1 ? '' : 's'}); stop its consumers first`,
    )
  }
  const plan = await planReset(context, groupId, options)
  const execute = options.execute === true
  if (execute) {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>()
    for (const entry of plan)
      byTopic.set(entry.topic, [
        ...(byTopic.get(entry.topic) ?? []),
        { partition: entry.partition, offset: entry.newOffset },
      ])
    await context.kafka.call(
      `committing offsets of ${groupId}`,
      admin.alterConsumerGroupOffsets({
        groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    )
  }
  context.output.result({ groupId, dryRun: !execute, partitions: plan }, () => {
    context.output.table(
      [
        { header: 'topic', key: 'topic' },
        { header: 'partition', key: 'partition', alignRight: true },
        { header: 'current', key: 'previousOffset', alignRight: true },
        { header: 'new', key: 'newOffset', alignRight: true },
      ],
      plan.map((entry) => ({ ...entry })),
    )
    context.output.line(
      execute
        ? `reset ${plan.length} partition(s) of group ${groupId}`
        : 'dry run: nothing changed; add --execute to apply',
    )
  })
}

export function registerGroupsReset(groups: Command, io: CliIo): void {
  groups
    .command('reset')
    .description("move a group's committed offsets (a dry-run plan unless --execute)")
    .argument('<group>', 'group id')
    .option('--topic <topic>', 'a topic to reset (repeatable)', collect)
    .option('--all-topics', 'every topic the group has offsets for')
    .option('--to-earliest', 'to the log start')
    .option('--to-latest', 'to the log end')
    .option('--to-offset <n>', 'to this offset')
    .option(
      '--to-datetime <time>',
      'to the first record at or after a time (ISO, epoch ms, yesterday, "2 hours ago")',
    )
    .option('--shift-by <n>', 'move by n (negative: back)')
    .option('--execute', 'apply the plan')
    .addHelpText(
      'after',
      '\nExample: streamline-cli groups reset billing --topic orders --to-datetime "1 hour ago" --execute',
    )
    .action(runCommand(io, reset))
}
