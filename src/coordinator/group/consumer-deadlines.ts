// The timers of consumer group members: a session deadline renewed by each heartbeat (a classic
// member's own session timeout from its JoinGroup, else group.consumer.session.timeout.ms); a
// rebalance deadline while a KIP-848 member has partitions to revoke; and for classic members,
// JoinGroup (once told to rejoin) and SyncGroup (after a JoinGroup answer) within their rebalance
// timeout. A member past one is fenced, and the group downgraded if only classic members remain.

import { type ConsumerGroupCoordinator, noMigration } from './consumer-coordinator.ts'
import { type ConsumerGroup, MemberState } from './consumer-group.ts'
import { fenceMember } from './consumer-membership.ts'

/** After a ConsumerGroupHeartbeat: session deadline from now; a rebalance deadline while the
 * member has partitions to revoke. */
export function afterHeartbeat(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  memberId: string,
): void {
  const member = group.members.get(memberId)
  if (member === undefined || member.memberEpoch < 0) return
  const nowMs = coordinator.host.now()
  group.sessionDeadlineMs.set(memberId, nowMs + coordinator.config.sessionTimeoutMs)
  if (member.state !== MemberState.UnrevokedPartitions) {
    group.rebalanceDeadline.delete(memberId)
  } else if (group.rebalanceDeadline.get(memberId)?.memberEpoch !== member.memberEpoch) {
    const deadlineMs = nowMs + member.rebalanceTimeoutMs
    group.rebalanceDeadline.set(memberId, { deadlineMs, memberEpoch: member.memberEpoch })
  }
}

/** Fences the members whose deadline passed (the coordinator's ticker). */
export function expireMembers(coordinator: ConsumerGroupCoordinator): void {
  const nowMs = coordinator.host.now()
  for (const group of coordinator.groups.values()) {
    for (const member of group.members.values()) {
      const sessionDeadlineMs = group.sessionDeadlineMs.get(member.memberId)
      if (sessionDeadlineMs === undefined) {
        // Loaded from the log (or upgraded): a full session to find the coordinator again.
        group.sessionDeadlineMs.set(member.memberId, nowMs + coordinator.sessionTimeoutOf(member))
        continue
      }
      const classicDeadline = group.classicDeadline.get(member.memberId)
      const classicLate = classicDeadline !== undefined && classicDeadline.deadlineMs <= nowMs
      const rebalance = group.rebalanceDeadline.get(member.memberId)
      const revocationLate =
        rebalance !== undefined &&
        rebalance.deadlineMs <= nowMs &&
        member.state === MemberState.UnrevokedPartitions &&
        member.memberEpoch === rebalance.memberEpoch
      if (sessionDeadlineMs > nowMs && !revocationLate && !classicLate) continue
      // Claimed: later ticks leave the member alone while its expiry waits for the group.
      group.sessionDeadlineMs.set(member.memberId, Number.POSITIVE_INFINITY)
      group.rebalanceDeadline.delete(member.memberId)
      group.classicDeadline.delete(member.memberId)
      const reason = revocationLate
        ? 'rebalance timeout'
        : classicLate
          ? `no ${classicDeadline?.awaiting} within the rebalance timeout`
          : 'session timeout'
      expire(coordinator, group, member.memberId, reason).catch((error: unknown) => {
        // Not fenced: the next tick tries again.
        group.sessionDeadlineMs.set(member.memberId, nowMs)
        coordinator.host.log.error(
          { err: error, group: group.groupId, member: member.memberId },
          'fencing member failed',
        )
      })
    }
  }
}

async function expire(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  memberId: string,
  reason: string,
): Promise<void> {
  const migration = noMigration()
  await coordinator.run(
    group,
    (context) => {
      const member = group.members.get(memberId)
      // A heartbeat that arrived meanwhile gave the member a new session: it stays.
      if (member === undefined || group.sessionDeadlineMs.get(memberId) !== Number.POSITIVE_INFINITY) return
      fenceMember(context, member)
      coordinator.maybeDowngrade(context, migration)
    },
    migration.records,
    () => coordinator.migrated(group, migration),
    migration.trailing,
  )
  coordinator.host.log.info(
    { group: group.groupId, member: memberId, reason },
    'consumer group member fenced',
  )
}
