// Test support for the KIP-848 unit tests: a GroupCoordinator over an in-memory log with a clock
// the test moves, and short ways to send heartbeats and read assignments by topic name.
// Not used by the broker.

import { createLogger } from '../../log.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { createMemoryLogManager } from '../../storage/memory/memory-log-manager.ts'
import type { LogManager } from '../../storage/types.ts'
import type { Assignment } from './consumer-assignment.ts'
import type { HeartbeatOutcome } from './consumer-coordinator.ts'
import type { ConsumerGroupConfig } from './consumer-group-config.ts'
import type { HeartbeatInput } from './consumer-heartbeat.ts'
import { GroupCoordinator } from './group-coordinator.ts'

export const testGroupId = 'group-a'

export class ConsumerGroupHarness {
  nowMs = 1_700_000_000_000
  readonly logs: LogManager
  coordinator: GroupCoordinator
  private readonly consumerConfig: Partial<ConsumerGroupConfig>

  private constructor(logs: LogManager, consumerConfig: Partial<ConsumerGroupConfig>) {
    this.logs = logs
    this.consumerConfig = consumerConfig
    this.coordinator = this.newCoordinator()
  }

  static async start(
    topics: Record<string, number>,
    consumerConfig: Partial<ConsumerGroupConfig> = {},
  ): Promise<ConsumerGroupHarness> {
    const harness = new ConsumerGroupHarness(createMemoryLogManager(), consumerConfig)
    for (const [name, partitionCount] of Object.entries(topics))
      await harness.logs.createTopic(name, { partitionCount })
    await harness.startCoordinator()
    return harness
  }

  private newCoordinator(): GroupCoordinator {
    return new GroupCoordinator({
      logs: this.logs,
      log: createLogger('silent'),
      consumer: this.consumerConfig,
      now: () => this.nowMs,
    })
  }

  private async startCoordinator(): Promise<void> {
    await this.coordinator.start()
    this.coordinator.stop() // the test calls tick() itself
  }

  /** A new coordinator replaying the same log, as after a broker restart. */
  async restart(): Promise<void> {
    this.coordinator = this.newCoordinator()
    await this.startCoordinator()
  }

  get consumer() {
    return this.coordinator.consumerGroups
  }

  topicId(name: string): string {
    const topic = this.logs.getTopic(name)
    if (topic === undefined) throw new Error(`no topic ${name}`)
    return topic.topicId
  }

  /** An assignment as { topicName: partitions }. */
  named(assignment: Assignment | null): Record<string, number[]> | null {
    if (assignment === null) return null
    const named: Record<string, number[]> = {}
    for (const [topicId, partitions] of assignment) {
      named[this.logs.getTopicById(topicId)?.name ?? topicId] = [...partitions]
    }
    return named
  }

  /** The wire form of owned partitions, from { topicName: partitions }. */
  owned(partitions: Record<string, number[]>): { topicId: string; partitions: number[] }[] {
    return Object.entries(partitions).map(([name, list]) => ({
      topicId: this.topicId(name),
      partitions: list,
    }))
  }

  /** A first heartbeat (epoch 0) subscribing to `topics`. */
  join(
    memberId: string,
    topics: string[],
    extra: Partial<HeartbeatInput> & { groupId?: string } = {},
  ): Promise<HeartbeatOutcome> {
    return this.send({
      memberId,
      memberEpoch: 0,
      rebalanceTimeoutMs: 60_000,
      subscribedTopicNames: topics,
      topicPartitions: [],
      ...extra,
    })
  }

  /** A regular heartbeat; `owned` adds topicPartitions (acknowledging revocations). */
  beat(
    memberId: string,
    memberEpoch: number,
    owned: Record<string, number[]> | null = null,
    extra: Partial<HeartbeatInput> = {},
  ): Promise<HeartbeatOutcome> {
    return this.send({
      memberId,
      memberEpoch,
      topicPartitions: owned === null ? null : this.owned(owned),
      ...extra,
    })
  }

  send(input: Partial<HeartbeatInput> & { groupId?: string }, apiVersion = 1): Promise<HeartbeatOutcome> {
    return this.consumer.heartbeat(
      {
        groupId: testGroupId,
        memberId: '',
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
        clientId: 'client-1',
        clientHost: '/127.0.0.1',
        ...input,
      },
      apiVersion,
    )
  }

  /** Moves the clock, runs the coordinator's deadline checks and waits for the expirations. */
  async advance(ms: number): Promise<void> {
    this.nowMs += ms
    this.coordinator.tick()
    for (const group of this.consumer.groups.values()) await group.tail
  }

  group(groupId = testGroupId) {
    const group = this.consumer.groups.get(groupId)
    if (group === undefined) throw new Error(`no consumer group ${groupId}`)
    return group
  }
}

/** The outcome of a heartbeat that must have succeeded, with the assignment by topic name. */
export function accepted(harness: ConsumerGroupHarness, outcome: HeartbeatOutcome) {
  if (outcome.errorCode !== ErrorCode.NONE)
    throw new Error(`heartbeat failed: ${outcome.errorCode} ${outcome.errorMessage ?? ''}`)
  return { memberEpoch: outcome.memberEpoch, assignment: harness.named(outcome.assignment) }
}
