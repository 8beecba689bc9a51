// A consumer group as `groups describe`, `groups reset`, `top` and `migrate` need it: state and
// members (DescribeGroups), committed offsets (OffsetFetch), end offsets and lag (ListOffsets).
import type { CliContext } from './context.ts'
import { CliFailure } from './errors.ts'
import { partitionOffsets } from './topic-state.ts'

export interface GroupMemberView {
  memberId: string
  clientId: string
  clientHost: string
  assignments: { topic: string; partitions: number[] }[]
}

export interface GroupOffsetView {
  topic: string
  partition: number
  committedOffset: bigint
  endOffset: bigint
  lag: bigint
  memberId: string | null
}

export interface GroupView {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: GroupMemberView[]
  offsets: GroupOffsetView[]
  totalLag: bigint
}

export async function committedOffsets(
  context: CliContext,
  groupId: string,
): Promise<Map<string, Map<number, bigint>>> {
  const admin = await context.kafka.admin()
  const [answer] = await context.kafka.call(
    `fetching offsets of group ${groupId}`,
    admin.listConsumerGroupOffsets({ groups: [groupId] }),
  )
  const result = new Map<string, Map<number, bigint>>()
  for (const topic of answer?.topics ?? []) {
    for (const partition of topic.partitions) {
      if (partition.committedOffset < 0n) continue
      const byPartition = result.get(topic.name) ?? new Map<number, bigint>()
      byPartition.set(partition.partitionIndex, partition.committedOffset)
      result.set(topic.name, byPartition)
    }
  }
  return result
}

export async function describeGroup(context: CliContext, groupId: string): Promise<GroupView> {
  const admin = await context.kafka.admin()
  const groups = await context.kafka.call(
    `describing group ${groupId}`,
    admin.describeGroups({ groups: [groupId] }),
  )
  const group = groups.get(groupId)
  const committed = await committedOffsets(context, groupId)
  const state: string = group?.state ?? 'DEAD'
  if ((state === 'DEAD' || state === 'UNKNOWN') && committed.size === 0) {
    throw new CliFailure(`GROUP_ID_NOT_FOUND: group '${groupId}' does not exist`)
  }
  const members: GroupMemberView[] = [...(group?.members.values() ?? [])].map((member) => ({
    memberId: member.id,
    clientId: member.clientId,
    clientHost: member.clientHost,
    assignments: [...(member.assignments?.values() ?? [])].map((assignment) => ({
      topic: assignment.topic,
      partitions: [...assignment.partitions].sort((a, b) => a - b),
    })),
  }))
  const ownerOf = new Map<string, string>()
  for (const member of members) {
    for (const assignment of member.assignments) {
      for (const partition of assignment.partitions)
        ownerOf.set(`${assignment.topic}:${partition}`, member.memberId)
    }
  }
  const counts = new Map<string, number>()
  for (const [topic, byPartition] of committed) counts.set(topic, Math.max(...byPartition.keys()) + 1)
  const ends = await partitionOffsets(context, counts, -1n)
  const offsets: GroupOffsetView[] = []
  for (const [topic, byPartition] of [...committed].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [partition, committedOffset] of [...byPartition].sort(([a], [b]) => a - b)) {
      const endOffset = ends.get(topic)?.[partition] ?? committedOffset
      const lag = endOffset > committedOffset ? endOffset - committedOffset : 0n
      offsets.push({
        topic,
        partition,
        committedOffset,
        endOffset,
        lag,
        memberId: ownerOf.get(`${topic}:${partition}`) ?? null,
      })
    }
  }
  return {
    groupId,
    state,
    protocolType: group?.protocolType ?? '',
    protocol: group?.protocol ?? '',
    members,
    offsets,
    totalLag: offsets.reduce((sum, entry) => sum + entry.lag, 0n),
  }
}
