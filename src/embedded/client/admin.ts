// The in-process admin client: topics, topic configs, groups and offsets through the same handlers
// (CreateTopics, DeleteTopics, DescribeConfigs, IncrementalAlterConfigs, ListGroups, DescribeGroups,
// DeleteGroups, OffsetFetch, OffsetCommit, ListOffsets) as a Kafka admin client, with their checks
// and Kafka's error codes (thrown as KafkaError).

import { KafkaError } from '../../errors.ts'
import { ApiKey } from '../../protocol/generated/index.ts'
import { decodeAssignment } from './assignors.ts'
import type { BrokerCalls } from './broker-calls.ts'
import { commitOffsets, earliestTimestamp, fetchCommitted, latestTimestamp, listOffsets } from './offsets.ts'
import type { TopicPartition, TopicPartitionOffset } from './types.ts'

/** Kafka's resource type id of a topic (DescribeConfigs, IncrementalAlterConfigs). */
const topicResource = 2
/** IncrementalAlterConfigs operations. */
const setOperation = 0
const deleteOperation = 1

export interface CreateTopicInput {
  name: string
  /** Default: the broker's num.partitions. */
  partitions?: number
  /** Topic configs in Kafka's names, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>
}

export interface AdminTopic {
  name: string
  topicId: string
  partitions: number
}

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: { memberId: string; clientId: string; clientHost: string; assignment: TopicPartition[] }[]
}

export class InProcessAdmin {
  readonly #calls: BrokerCalls

  constructor(calls: BrokerCalls) {
    this.#calls = calls
  }

  async createTopics(topics: CreateTopicInput[]): Promise<void> {
    const response = await this.#calls.call(ApiKey.CreateTopics, {
      topics: topics.map((topic) => ({
        name: topic.name,
        numPartitions: topic.partitions ?? -1,
        replicationFactor: -1,
        assignments: [],
        configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: 30_000,
      validateOnly: false,
    })
    for (const result of response.topics) {
      if (result.errorCode !== 0)
        throw new KafkaError(result.errorCode, `create ${result.name}: ${result.errorMessage ?? ''}`)
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    const response = await this.#calls.call(ApiKey.DeleteTopics, {
      topics: names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })),
      topicNames: names,
      timeoutMs: 30_000,
    })
    for (const result of response.responses) {
      if (result.errorCode !== 0)
        throw new KafkaError(result.errorCode, `delete ${result.name ?? ''}: ${result.errorMessage ?? ''}`)
    }
  }

  /** Every topic but Kafka's internal ones, sorted by name. */
  listTopics(): AdminTopic[] {
    return this.#calls.services.logs
      .listTopics()
      .filter((topic) => !topic.name.startsWith('__'))
      .map((topic) => ({ name: topic.name, topicId: topic.topicId, partitions: topic.partitionCount }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** A topic's configs (every one, defaults included), as DescribeConfigs reports them. */
  async describeTopicConfigs(topic: string): Promise<Record<string, string | null>> {
    const response = await this.#calls.call(ApiKey.DescribeConfigs, {
      resources: [{ resourceType: topicResource, resourceName: topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    const [result] = response.results
    if (result === undefined || result.errorCode !== 0)
      throw new KafkaError(
        result?.errorCode ?? 3,
        `describe configs of ${topic}: ${result?.errorMessage ?? ''}`,
      )
    return Object.fromEntries(result.configs.map((config) => [config.name, config.value]))
  }

  /** Sets configs (a null value removes the override), as IncrementalAlterConfigs. */
  async alterTopicConfigs(topic: string, configs: Record<string, string | null>): Promise<void> {
    const response = await this.#calls.call(ApiKey.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: topicResource,
          resourceName: topic,
          configs: Object.entries(configs).map(([name, value]) => ({
            name,
            configOperation: value === null ? deleteOperation : setOperation,
            value,
          })),
        },
      ],
      validateOnly: false,
    })
    const [result] = response.responses
    if (result !== undefined && result.errorCode !== 0)
      throw new KafkaError(result.errorCode, `alter configs of ${topic}: ${result.errorMessage ?? ''}`)
  }

  async listGroups(): Promise<{ groupId: string; state: string; protocolType: string }[]> {
    const response = await this.#calls.call(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] })
    if (response.errorCode !== 0) throw new KafkaError(response.errorCode, 'ListGroups')
    return response.groups.map((group) => ({
      groupId: group.groupId,
      state: group.groupState,
      protocolType: group.protocolType,
    }))
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const response = await this.#calls.call(ApiKey.DescribeGroups, {
      groups: [groupId],
      includeAuthorizedOperations: false,
    })
    const [group] = response.groups
    if (group === undefined || group.errorCode !== 0)
      throw new KafkaError(group?.errorCode ?? 69, `describe group ${groupId}`)
    return {
      groupId: group.groupId,
      state: group.groupState,
      protocolType: group.protocolType,
      protocol: group.protocolData,
      members: group.members.map((member) => ({
        memberId: member.memberId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        assignment: group.protocolType === 'consumer' ? decodeAssignment(member.memberAssignment) : [],
      })),
    }
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    const response = await this.#calls.call(ApiKey.DeleteGroups, { groupsNames: groupIds })
    for (const result of response.results) {
      if (result.errorCode !== 0) throw new KafkaError(result.errorCode, `delete group ${result.groupId}`)
    }
  }

  /** A group's committed offsets (every partition it committed for when `partitions` is absent). */
  fetchOffsets(groupId: string, partitions?: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return fetchCommitted(this.#calls, groupId, partitions ?? null)
  }

  /** Sets a group's committed offsets (the group must have no active members, as in Kafka). */
  setOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return commitOffsets(this.#calls, { groupId, generationId: -1, memberId: '' }, offsets)
  }

  /** Earliest and latest offsets (the high watermark) of each partition of a topic. */
  async topicOffsets(topic: string): Promise<{ partition: number; earliest: number; latest: number }[]> {
    const description = this.#calls.services.logs.getTopic(topic)
    if (description === undefined) throw new KafkaError(3, `topic ${topic} does not exist`)
    const partitions = Array.from({ length: description.partitionCount }, (_, partition) => ({
      topic,
      partition,
    }))
    const earliest = await listOffsets(this.#calls, partitions, earliestTimestamp)
    const latest = await listOffsets(this.#calls, partitions, latestTimestamp)
    return partitions.map(({ partition }, index) => ({
      partition,
      earliest: earliest[index].offset,
      latest: latest[index].offset,
    }))
  }
}
