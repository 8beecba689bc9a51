// A sink task's consumer: a member of the connector's group (`connect-<name>`, Kafka Connect's
// naming) through the classic group protocol (protocol type `consumer`, Kafka's RangeAssignor), built
// on raw requests so every wait is ours and bounded. As Kafka's consumer: the rebalance runs inside
// poll() (revoked partitions are handed to the task's listener first, so it commits what it flushed),
// heartbeats run in the background, subscribed topics are looked up with auto-creation allowed (the
// broker decides), and a topic that appears or grows makes the member rejoin. Partitions are read from
// the committed offsets (earliest when none); only what the runtime says is committed. What the task's
// metrics read is kept here too: the assigned partitions, their last committed offsets (as Kafka's
// sink task, a partition's start position counts as committed) and how far each is behind its log end.

import {
  type Connection,
  findCoordinatorV4,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  offsetCommitV8,
  offsetFetchV8,
  syncGroupV5,
} from '@platformatic/kafka'
import { BrokerConnections, type ClusterLayout } from './broker-connections.ts'
import {
  consumerProtocolType,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
  rangeAssignorName,
  type TopicPartition,
} from './consumer-protocol.ts'
import { FetchedRecords } from './fetched-records.ts'
import { errorCodeOf, type KafkaClientOptions } from './kafka-client.ts'
import { type ConsumedMessage, PartitionFetcher, partitionKey } from './partition-fetcher.ts'

export type { ConsumedMessage } from './partition-fetcher.ts'

export interface GroupConsumerOptions extends KafkaClientOptions {
  groupId: string
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  rebalanceTimeoutMs?: number
}

/** Kafka's ConsumerRebalanceListener.onPartitionsRevoked: the partitions leave this member next. */
export type RevokeListener = (partitions: TopicPartition[]) => Promise<void>

const errors = {
  coordinatorLoadInProgress: 14,
  coordinatorNotAvailable: 15,
  notCoordinator: 16,
  illegalGeneration: 22,
  unknownMemberId: 25,
  rebalanceInProgress: 27,
  memberIdRequired: 79,
} as const
/** Errors after which the member finds its coordinator and joins again. */
const rejoinCodes = new Set<number>([-1, ...Object.values(errors)])
const retryBackoffMs = 500
/** How often subscribed topics are looked up: soon while one is missing, else Kafka-like rarely. */
const missingTopicRefreshMs = 1_000
const metadataRefreshMs = 30_000
/**
 * How often a pattern subscription (`topics.regex`) looks for new matching topics (Kafka's consumer
 * does at each metadata refresh, `metadata.max.age.ms`, 5 min by default; sooner here).
 */
const patternRefreshMs = 5_000

export class GroupConsumer {
  private readonly connections: BrokerConnections
  private readonly fetcher: PartitionFetcher
  private topics: string[] = []
  /** A pattern subscription (Kafka's subscribe(Pattern)): `topics` are the topics it matched last. */
  private pattern: RegExp | null = null
  private memberId = ''
  private generation = -1
  private coordinator: string | null = null
  private needsJoin = true
  private joining = false
  private closed = false
  /** The last fetch's records not handed out yet (decoded as they are handed out). */
  private buffered: FetchedRecords = FetchedRecords.empty
  /** The last committed offset (the start position until a commit) per assigned partition. */
  private readonly committed = new Map<string, number>()
  /** Partition counts of the subscribed topics when the group last assigned them. */
  private assignedCounts = new Map<string, number>()
  private nextMetadataCheck = 0
  private heartbeatTimer: NodeJS.Timeout | null = null
  private revokeListener: RevokeListener = async () => undefined
  private readonly sessionTimeoutMs: number
  private readonly heartbeatIntervalMs: number
  private readonly rebalanceTimeoutMs: number

  constructor(private readonly options: GroupConsumerOptions) {
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 10_000
    // JoinGroup waits for every member, up to the rebalance timeout.
    this.connections = new BrokerConnections(
      options.clientId,
      options.bootstrap,
      this.rebalanceTimeoutMs + 20_000,
    )
    this.fetcher = new PartitionFetcher(this.connections, () => this.refreshLayout())
  }

  onRevoked(listener: RevokeListener): void {
    this.revokeListener = listener
  }

  /**
   * The subscription: topics, or a pattern every topic's whole name is matched against (internal topics
   * excluded, as Kafka's `exclude.internal.topics`); the first poll joins the group.
   */
  async subscribe(subscription: string[] | RegExp): Promise<void> {
    this.pattern = subscription instanceof RegExp ? subscription : null
    this.topics = subscription instanceof RegExp ? [] : [...new Set(subscription)].sort()
    this.nextMetadataCheck = 0
    this.needsJoin = true
  }

  /** Up to `max` messages; waits at most about `waitMs` when none is there (rebalances excepted). */
  async poll(max: number, waitMs: number): Promise<ConsumedMessage[]> {
    if (this.closed) return []
    if (this.buffered.exhausted) {
      this.buffered = FetchedRecords.empty
      try {
        await this.checkMetadata()
        if (this.needsJoin) await this.rebalance()
        if (this.fetcher.positions.size === 0) await sleep(waitMs)
        else this.buffered = await this.fetcher.fetch(waitMs)
      } catch (error) {
        if (!rejoinCodes.has(errorCodeOf(error))) throw error
        // The coordinator moved or the connection dropped: find it again and rejoin.
        await this.dropCoordinator()
        this.needsJoin = true
        await sleep(retryBackoffMs)
      }
    }
    return await this.buffered.take(max)
  }

  /** Partitions assigned to this member (Kafka's consumer.assignment().size()). */
  get assignedPartitionCount(): number {
    return this.fetcher.positions.size
  }

  /** Records handed out by poll() and not yet committed, over the assigned partitions. */
  uncommittedRecords(): number {
    let total = 0
    for (const [key, position] of this.fetcher.positions)
      total += Math.max(0, position.offset - (this.committed.get(key) ?? position.offset))
    return total
  }

  /** The most records an assigned partition is behind its log end as last fetched (null: not known yet). */
  recordLagMax(): number | null {
    return this.fetcher.lagMax()
  }

  /** Commits next offsets to read for this generation; partitions no longer assigned are left alone. */
  async commit(offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    const owned = offsets.filter((entry) =>
      this.fetcher.positions.has(partitionKey(entry.topic, entry.partition)),
    )
    if (owned.length === 0 || this.generation < 0) return
    const byTopic = new Map<string, typeof owned>()
    for (const entry of owned) byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry])
    await offsetCommitV8.api.async(
      await this.coordinatorConnection(),
      this.options.groupId,
      this.generation,
      this.memberId,
      null,
      [...byTopic].map(([name, entries]) => ({
        name,
        partitions: entries.map((entry) => ({
          partitionIndex: entry.partition,
          committedOffset: BigInt(entry.offset),
          committedLeaderEpoch: -1,
        })),
      })),
    )
    for (const entry of owned) this.committed.set(partitionKey(entry.topic, entry.partition), entry.offset)
  }

  private async refreshLayout(): Promise<ClusterLayout> {
    if (this.pattern !== null) return this.refreshPatternLayout(this.pattern)
    const layout = await this.connections.metadata(this.topics, true)
    this.fetcher.layout = layout
    return layout
  }

  /** Every topic's layout; the topics the pattern matches now (a change makes the member rejoin). */
  private async refreshPatternLayout(pattern: RegExp): Promise<ClusterLayout> {
    const layout = await this.connections.metadata(null, false)
    this.fetcher.layout = layout
    const matched = [...layout.topics.keys()]
      .filter((topic) => !layout.internalTopics.has(topic) && pattern.test(topic))
      .sort()
    if (matched.join('\n') !== this.topics.join('\n')) {
      this.topics = matched
      this.needsJoin = true
    }
    return layout
  }

  /** Subscribed topics that appeared or grew since the last assignment make the member rejoin. */
  private async checkMetadata(): Promise<void> {
    if (Date.now() < this.nextMetadataCheck || (this.topics.length === 0 && this.pattern === null)) return
    const layout = await this.refreshLayout()
    const missing = this.topics.some((topic) => !layout.topics.has(topic))
    this.nextMetadataCheck =
      Date.now() +
      (this.pattern !== null ? patternRefreshMs : missing ? missingTopicRefreshMs : metadataRefreshMs)
    for (const topic of this.topics) {
      const count = layout.topics.get(topic)?.leaders.length ?? 0
      if (count !== (this.assignedCounts.get(topic) ?? 0)) this.needsJoin = true
    }
  }

  private async rebalance(): Promise<void> {
    this.joining = true
    try {
      // Eager protocol: everything owned is revoked (and committed by the task) before joining.
      if (this.fetcher.positions.size > 0) {
        const revoked = [...this.fetcher.positions.values()].map(({ topic, partition }) => ({
          topic,
          partition,
        }))
        await this.revokeListener(revoked).catch(() => undefined)
      }
      this.fetcher.clear()
      this.committed.clear()
      this.buffered = FetchedRecords.empty
      const connection = await this.coordinatorConnection()
      const join = await this.join(connection)
      this.generation = join.generationId
      const assignments = join.leader === this.memberId ? await this.leaderAssignments(join.members) : []
      const sync = await syncGroupV5.api.async(
        connection,
        this.options.groupId,
        this.generation,
        this.memberId,
        null,
        consumerProtocolType,
        rangeAssignorName,
        assignments,
      )
      const assigned = decodeAssignment(sync.assignment)
      // (A pattern that matches other topics by now asks for another round.)
      this.needsJoin = false
      const layout = await this.refreshLayout()
      this.assignedCounts = new Map(
        this.topics.map((topic) => [topic, layout.topics.get(topic)?.leaders.length ?? 0]),
      )
      this.nextMetadataCheck =
        Date.now() +
        (this.pattern !== null
          ? patternRefreshMs
          : assigned.length === 0
            ? missingTopicRefreshMs
            : metadataRefreshMs)
      const positions = await this.startPositions(connection, assigned)
      this.fetcher.assign(positions)
      for (const entry of positions)
        this.committed.set(partitionKey(entry.topic, entry.partition), entry.offset)
      this.startHeartbeats()
    } finally {
      this.joining = false
    }
  }

  private async join(connection: Connection): Promise<Awaited<ReturnType<typeof joinGroupV9.api.async>>> {
    const call = () =>
      joinGroupV9.api.async(
        connection,
        this.options.groupId,
        this.sessionTimeoutMs,
        this.rebalanceTimeoutMs,
        this.memberId,
        null,
        consumerProtocolType,
        [{ name: rangeAssignorName, metadata: encodeSubscription(this.topics) }],
        null,
      )
    try {
      const answer = await call()
      this.memberId = answer.memberId ?? this.memberId
      return answer
    } catch (error) {
      if (errorCodeOf(error) === errors.unknownMemberId) this.memberId = ''
      if (errorCodeOf(error) !== errors.memberIdRequired) throw error
      // KIP-394: the first JoinGroup only hands out the member id.
      this.memberId = (error as { response?: { memberId?: string | null } }).response?.memberId ?? ''
      const answer = await call()
      this.memberId = answer.memberId ?? this.memberId
      return answer
    }
  }

  /** The leader's plan: Kafka's RangeAssignor over every member's subscription. */
  private async leaderAssignments(
    members: Array<{ memberId: string; metadata: Buffer | null }>,
  ): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const subscriptions = new Map<string, string[]>()
    for (const member of members) {
      let topics: string[] = []
      try {
        topics = decodeSubscription(member.metadata ?? Buffer.alloc(0))
      } catch {
        // An unreadable subscription gets nothing (its member still joins the generation).
      }
      subscriptions.set(member.memberId, topics)
    }
    const all = [...new Set([...subscriptions.values()].flat())].sort()
    const layout = await this.connections.metadata(all, true)
    const counts = new Map([...layout.topics].map(([topic, described]) => [topic, described.leaders.length]))
    return [...rangeAssign(subscriptions, counts)].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeAssignment(partitions),
    }))
  }

  /** Committed offsets of the assigned partitions; the earliest offset where none is committed. */
  private async startPositions(
    connection: Connection,
    assigned: TopicPartition[],
  ): Promise<Array<TopicPartition & { offset: number }>> {
    if (assigned.length === 0) return []
    const byTopic = new Map<string, number[]>()
    for (const { topic, partition } of assigned)
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
    const answer = await offsetFetchV8.api.async(
      connection,
      [
        {
          groupId: this.options.groupId,
          memberEpoch: -1,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        },
      ],
      true,
    )
    const committed = new Map<string, number>()
    for (const group of answer.groups)
      for (const topic of group.topics)
        for (const partition of topic.partitions)
          if (partition.committedOffset >= 0n)
            committed.set(
              partitionKey(topic.name, partition.partitionIndex),
              Number(partition.committedOffset),
            )
    const uncommitted = assigned.filter((entry) => !committed.has(partitionKey(entry.topic, entry.partition)))
    const earliest =
      uncommitted.length === 0 ? new Map<string, number>() : await this.fetcher.earliest(uncommitted)
    return assigned.map((entry) => {
      const key = partitionKey(entry.topic, entry.partition)
      return { ...entry, offset: committed.get(key) ?? earliest.get(key) ?? 0 }
    })
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer !== null) return
    const beat = async (): Promise<void> => {
      if (this.closed || this.joining || this.needsJoin || this.generation < 0) return
      try {
        await heartbeatV4.api.async(
          await this.coordinatorConnection(),
          this.options.groupId,
          this.generation,
          this.memberId,
          null,
        )
      } catch (error) {
        const code = errorCodeOf(error)
        if (code === errors.unknownMemberId) this.memberId = ''
        if (
          code !== errors.rebalanceInProgress &&
          code !== errors.illegalGeneration &&
          code !== errors.unknownMemberId
        )
          await this.dropCoordinator()
        // The next poll rejoins (and revokes what this member owned first).
        this.needsJoin = true
      }
    }
    let running = false
    this.heartbeatTimer = setInterval(() => {
      if (running) return
      running = true
      void beat().finally(() => {
        running = false
      })
    }, this.heartbeatIntervalMs)
    this.heartbeatTimer.unref()
  }

  private async coordinatorConnection(): Promise<Connection> {
    if (this.coordinator === null) {
      const bootstrap = await this.connections.connection(this.connections.bootstrapAddress())
      const found = await findCoordinatorV4.api.async(bootstrap, 0, [this.options.groupId])
      const coordinator = found.coordinators[0]
      this.coordinator = `${coordinator.host}:${coordinator.port}`
    }
    return this.connections.connection(this.coordinator)
  }

  private async dropCoordinator(): Promise<void> {
    const address = this.coordinator
    this.coordinator = null
    if (address !== null && !this.options.bootstrap.includes(address)) await this.connections.discard(address)
  }

  /** Leaves the group (its partitions move at once) and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer)
    if (this.memberId !== '' && this.coordinator !== null) {
      const connection = await this.connections.connection(this.coordinator).catch(() => null)
      if (connection !== null)
        await leaveGroupV5.api
          .async(connection, this.options.groupId, [
            { memberId: this.memberId, reason: 'sink task stopping' },
          ])
          .catch(() => undefined)
    }
    await this.connections.close()
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
