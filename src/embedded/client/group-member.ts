// An in-process consumer's membership of a classic consumer group, through the same coordinator and
// the same handlers (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as a network member: an in-process
// consumer and a kafkajs or librdkafka consumer in one group split the partitions, and a member that
// leaves or stops heartbeating hands its partitions over on the next rebalance.
// Eager assignors (roundrobin, range): every partition is given up before joining. Cooperative ones
// (cooperative-sticky, KIP-429): the member joins with the partitions it owns and keeps reading them;
// after SyncGroup it gives up only those missing from its new assignment, and joins once more when
// it gave any up, so that the leader can hand them to their new member.

import { setTimeout as sleep } from 'node:timers/promises'
import { KafkaError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import {
  type Assignor,
  decodeAssignment,
  decodeMemberSubscription,
  encodeAssignment,
  encodeSubscription,
  rebalanceProtocolOf,
} from './assignors.ts'
import type { BrokerCalls } from './broker-calls.ts'
import type { TopicPartition } from './types.ts'

export interface GroupMemberOptions {
  groupId: string
  /** Static membership (KIP-345, `group.instance.id`); null: a dynamic member. */
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  /** The assignors offered, in order of preference (`partitionAssigners`). */
  assignors: readonly Assignor[]
}

/** What a group membership (classic or KIP-848) asks of its consumer. */
export interface GroupMemberHooks {
  /** The topics this member subscribes to now. */
  topics(): string[]
  /** The partitions the consumer reads now. */
  owned(): TopicPartition[]
  /** Stop using these partitions and commit what was consumed of them (they go to another member). */
  revoke(partitions: TopicPartition[]): Promise<void>
  /** Stop using these partitions without committing: the member lost them (fenced, or removed). */
  lose(partitions: TopicPartition[]): Promise<void>
  /** Start reading these partitions too (from the committed offsets). */
  assign(partitions: TopicPartition[]): Promise<void>
  /** A failure the member cannot recover from (reported to the consumer's iterator). */
  fail(error: unknown): void
}

/** The membership a consumer with a groupId holds (group-member.ts, consumer-group-member.ts). */
export interface Membership {
  readonly memberId: string
  /** The classic generation, or the KIP-848 member epoch: what OffsetCommit fences with. */
  readonly generationId: number
  start(): Promise<void>
  /** Leaves the group (a static member stays for its session timeout). */
  leave(): Promise<void>
}

const keyOf = ({ topic, partition }: TopicPartition): string => `${partition}:${topic}`

/** The partitions of `left` not in `right`. */
export function partitionsMissing(left: TopicPartition[], right: TopicPartition[]): TopicPartition[] {
  const present = new Set(right.map(keyOf))
  return left.filter((entry) => !present.has(keyOf(entry)))
}

/** Answers after which the member joins again. */
const rejoinCodes = new Set<number>([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.MEMBER_ID_REQUIRED,
  ErrorCode.FENCED_INSTANCE_ID,
])
const joinAttemptsMax = 50

export class GroupMember implements Membership {
  memberId = ''
  generationId = -1
  readonly #calls: BrokerCalls
  readonly #options: GroupMemberOptions
  readonly #hooks: GroupMemberHooks
  readonly #cooperative: boolean
  #heartbeatTimer: NodeJS.Timeout | null = null
  #rebalancing: Promise<void> | null = null
  #stopped = false

  constructor(calls: BrokerCalls, options: GroupMemberOptions, hooks: GroupMemberHooks) {
    this.#calls = calls
    this.#options = options
    this.#hooks = hooks
    this.#cooperative = rebalanceProtocolOf(options.assignors) === 'cooperative'
  }

  /** Joins (or re-joins) the group and gets this member's partitions; concurrent calls share one rebalance. */
  rebalance(): Promise<void> {
    this.#rebalancing ??= this.#rebalanceOnce().finally(() => {
      this.#rebalancing = null
    })
    return this.#rebalancing
  }

  start(): Promise<void> {
    const joined = this.rebalance()
    this.#scheduleHeartbeat()
    return joined
  }

  async leave(): Promise<void> {
    this.#stopped = true
    if (this.#heartbeatTimer !== null) clearTimeout(this.#heartbeatTimer)
    await this.#rebalancing?.catch(() => undefined)
    // A static member does not leave (as Kafka's consumer): the group keeps its partitions for the
    // session timeout, and a consumer started with the same instance id takes them back without a
    // rebalance.
    if (this.memberId === '' || this.#options.groupInstanceId !== null) return
    await this.#calls.call(ApiKey.LeaveGroup, {
      groupId: this.#options.groupId,
      memberId: '',
      members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the in-process consumer closed' }],
    })
    this.memberId = ''
  }

  async #rebalanceOnce(): Promise<void> {
    if (!this.#cooperative) await this.#hooks.revoke(this.#hooks.owned())
    for (let attempt = 0; attempt < joinAttemptsMax && !this.#stopped; attempt += 1) {
      const partitions = await this.#joinAndSync()
      if (partitions === null) continue
      const owned = this.#hooks.owned()
      const revoked = partitionsMissing(owned, partitions)
      if (revoked.length > 0) await this.#hooks.revoke(revoked)
      const added = partitionsMissing(partitions, owned)
      if (added.length > 0) await this.#hooks.assign(added)
      // Cooperative: the partitions given up go to their new member in the next round.
      if (this.#cooperative && revoked.length > 0) continue
      return
    }
    if (!this.#stopped)
      throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, `could not join group ${this.#options.groupId}`)
  }

  /** One JoinGroup + SyncGroup round; null when the group asks to join again. */
  async #joinAndSync(): Promise<TopicPartition[] | null> {
    const topics = this.#hooks.topics()
    const subscription = this.#cooperative
      ? { owned: this.#hooks.owned(), generationId: this.generationId }
      : undefined
    const joined = await this.#calls.call(ApiKey.JoinGroup, {
      groupId: this.#options.groupId,
      sessionTimeoutMs: this.#options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.#options.rebalanceTimeoutMs,
      memberId: this.memberId,
      groupInstanceId: this.#options.groupInstanceId,
      protocolType: 'consumer',
      protocols: this.#options.assignors.map((assignor) => ({
        name: assignor.name,
        metadata: encodeSubscription(topics, subscription),
      })),
      reason: null,
    })
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = joined.memberId
      return null
    }
    if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) await this.#lost()
    this.#throwIfFenced(joined.errorCode)
    if (rejoinCodes.has(joined.errorCode)) return null
    if (joined.errorCode !== 0) throw new KafkaError(joined.errorCode, `JoinGroup ${this.#options.groupId}`)
    this.memberId = joined.memberId
    this.generationId = joined.generationId
    const assignments =
      joined.leader === joined.memberId && !joined.skipAssignment
        ? this.#assign(joined.protocolName, joined.members)
        : []
    const synced = await this.#calls.call(ApiKey.SyncGroup, {
      groupId: this.#options.groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: this.#options.groupInstanceId,
      protocolType: 'consumer',
      protocolName: joined.protocolName,
      assignments,
    })
    if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) await this.#lost()
    this.#throwIfFenced(synced.errorCode)
    if (rejoinCodes.has(synced.errorCode)) return null
    if (synced.errorCode !== 0) throw new KafkaError(synced.errorCode, `SyncGroup ${this.#options.groupId}`)
    return decodeAssignment(synced.assignment)
  }

  /** The coordinator no longer knows this member: a cooperative member's partitions may already be
   * another member's, so it drops them without committing (Kafka's onPartitionsLost). */
  async #lost(): Promise<void> {
    this.memberId = ''
    this.generationId = -1
    if (this.#cooperative) await this.#hooks.lose(this.#hooks.owned())
  }

  /** A static member whose instance id another consumer took over stops (Kafka's consumer: fatal). */
  #throwIfFenced(errorCode: number): void {
    if (errorCode !== ErrorCode.FENCED_INSTANCE_ID || this.#options.groupInstanceId === null) return
    this.#stopped = true
    throw new KafkaError(
      errorCode,
      `another consumer joined group ${this.#options.groupId} as ${this.#options.groupInstanceId}`,
    )
  }

  #assign(protocolName: string | null, members: { memberId: string; metadata: Buffer }[]) {
    const offered = this.#options.assignors
    const assignor = offered.find((candidate) => candidate.name === protocolName) ?? offered[0]
    const logs = this.#calls.services.logs
    const assignment = assignor.assign(
      members.map((member) => decodeMemberSubscription(member.memberId, member.metadata)),
      (topic) => logs.getTopic(topic)?.partitionCount ?? 0,
    )
    return [...assignment].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeAssignment(partitions),
    }))
  }

  #scheduleHeartbeat(): void {
    if (this.#stopped) return
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeat()
        .catch((error: unknown) => this.#hooks.fail(error))
        .finally(() => this.#scheduleHeartbeat())
    }, this.#options.heartbeatIntervalMs)
    this.#heartbeatTimer.unref()
  }

  async #heartbeat(): Promise<void> {
    if (this.#rebalancing !== null || this.memberId === '') return
    const answer = await this.#calls.call(ApiKey.Heartbeat, {
      groupId: this.#options.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.#options.groupInstanceId,
    })
    if (this.#stopped) return
    if (answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) await this.#lost()
    this.#throwIfFenced(answer.errorCode)
    if (rejoinCodes.has(answer.errorCode)) {
      await this.rebalance()
      return
    }
    if (answer.errorCode !== 0) {
      // A coordinator that is loading answers again shortly.
      await sleep(this.#options.heartbeatIntervalMs)
    }
  }
}
