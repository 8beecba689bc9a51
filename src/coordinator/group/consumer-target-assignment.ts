// The target assignment of a consumer group (Kafka's TargetAssignmentBuilder): when the group epoch
// has moved past the assignment epoch, the chosen server-side assignor computes every member's
// target from the subscriptions and the current targets (for stickiness); the members whose target
// changed get a ConsumerGroupTargetAssignmentMember record, then the assignment epoch catches up.

import type { PartitionAssignor } from './assignors/index.ts'
import { assignmentsEqual, emptyAssignment } from './consumer-assignment.ts'
import { type ConsumerGroup, targetAssignmentRecord } from './consumer-group.ts'
import type { ConsumerGroupConfig } from './consumer-group-config.ts'
import type { ConsumerGroupRecord } from './consumer-group-records.ts'
import {
  subscribedTopicNames,
  subscriptionMetadataEqual,
  type TopicCatalog,
} from './consumer-subscriptions.ts'

/** What an operation on one group works with. `emit` applies a record to the group at once and keeps
 * it for the log; if writing fails, the coordinator restores the group's snapshot. */
export interface OperationContext {
  group: ConsumerGroup
  config: ConsumerGroupConfig
  catalog: TopicCatalog
  assignors: ReadonlyMap<string, PartitionAssignor>
  nowMs: number
  emit(record: ConsumerGroupRecord): void
}

/** The assignor most members ask for (ties: configuration order), else the default (the first of
 * `group.consumer.assignors`). Kafka's computePreferredServerAssignor. */
export function preferredAssignor(group: ConsumerGroup, config: ConsumerGroupConfig): string {
  const votes = new Map<string, number>()
  for (const member of group.members.values()) {
    if (member.serverAssignor !== null)
      votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1)
  }
  let best = config.assignors[0] ?? 'uniform'
  let bestVotes = 0
  for (const name of config.assignors) {
    const count = votes.get(name) ?? 0
    if (count > bestVotes) {
      best = name
      bestVotes = count
    }
  }
  return best
}

export function updateTargetAssignment(context: OperationContext): void {
  const { group } = context
  const assignor = context.assignors.get(preferredAssignor(group, context.config))
  if (assignor === undefined) throw new Error(`no assignor among ${context.config.assignors.join(', ')}`)
  const topics = new Map(
    [...group.subscriptionMetadata.values()].map((topic) => [
      topic.topicId,
      { topicName: topic.topicName, numPartitions: topic.numPartitions },
    ]),
  )
  const members = [...group.members.values()]
    .sort((left, right) => (left.memberId < right.memberId ? -1 : left.memberId > right.memberId ? 1 : 0))
    .map((member) => {
      const subscribedTopicIds = new Set<string>()
      for (const name of context.catalog.memberTopics(group, member, context.nowMs)) {
        const topic = group.subscriptionMetadata.get(name)
        if (topic !== undefined) subscribedTopicIds.add(topic.topicId)
      }
      return {
        memberId: member.memberId,
        instanceId: member.instanceId,
        rackId: member.rackId,
        subscribedTopicIds,
        currentAssignment: group.targetOf(member.memberId),
      }
    })
  const targets = assignor.assign({ members, topics })
  for (const member of members) {
    const target = targets.get(member.memberId) ?? emptyAssignment
    if (
      group.targetAssignment.has(member.memberId) &&
      assignmentsEqual(target, group.targetOf(member.memberId))
    )
      continue
    context.emit(targetAssignmentRecord(group.groupId, member.memberId, target))
  }
  context.emit({
    type: 'TargetAssignmentEpoch',
    groupId: group.groupId,
    value: { assignmentEpoch: group.groupEpoch },
  })
}

/** Re-reads the subscribed topics; new topics or partition counts bump the group epoch as well. */
export function refreshSubscriptionMetadata(context: OperationContext, bumpGroupEpoch: boolean): void {
  const { group } = context
  const metadata = context.catalog.metadataOf(subscribedTopicNames(context.catalog, group, context.nowMs))
  let bump = bumpGroupEpoch
  if (!subscriptionMetadataEqual(metadata, group.subscriptionMetadata)) {
    context.emit({
      type: 'PartitionMetadata',
      groupId: group.groupId,
      value: {
        topics: [...metadata.values()].map((topic) => ({ ...topic, partitionMetadata: [] })),
      },
    })
    bump = true
  }
  if (bump)
    context.emit({ type: 'GroupEpoch', groupId: group.groupId, value: { epoch: group.groupEpoch + 1 } })
}
