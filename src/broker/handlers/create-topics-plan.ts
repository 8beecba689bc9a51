// Validation of one topic of a CreateTopics request, in Kafka's order and with Kafka's messages
// (ReplicationControlManager.createTopics): name, existence and collision, then partitions,
// replication factor and manual assignments (one broker: only this node, one replica), then configs.
// The result is either the plan to create or the outcome to report.

import { type StateTopicSpec, stateTopicOverrides } from '../../coordinator/state-topics.ts'
import type { CreatableTopic } from '../../protocol/generated/create-topics-request.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { topicPartitionsMax } from '../../storage/limits.ts'
import { validateTopicConfigOverrides } from '../../storage/topic-config.ts'
import { validatePartitionCount, validateTopicName } from '../../storage/topic-name.ts'
import type { LogManager } from '../../storage/types.ts'
import { failure, type Outcome, outcomeOf } from './outcome.ts'

export interface TopicPlan {
  name: string
  partitionCount: number
  configOverrides: Record<string, string>
}

export interface PlanContext {
  logs: LogManager
  nodeId: number
  /** `num.partitions`, for numPartitions -1 (a state topic's own count for a state topic). */
  defaultPartitions: number
  /** Set when the topic is a state topic: its configs fill in what the request leaves out. */
  stateTopic?: StateTopicSpec
}

/** Kafka's Topic.unifyCollisionChars: "a.b" and "a_b" would clash in metric names. */
function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_')
}

function checkName(name: string, logs: LogManager): Outcome | null {
  try {
    validateTopicName(name)
  } catch (error) {
    return outcomeOf(error)
  }
  if (logs.getTopic(name) !== undefined)
    return failure(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
  const unified = unifyCollisionChars(name)
  const colliding = logs.listTopics().find((topic) => unifyCollisionChars(topic.name) === unified)
  if (colliding !== undefined) {
    return failure(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic '${name}' collides with existing topic: ${colliding.name}`,
    )
  }
  return null
}

/** Manual assignments: partitions 0..n-1, each on exactly [this broker]. Returns the count or an error. */
function checkAssignments(topic: CreatableTopic, nodeId: number): number | Outcome {
  const invalid = (message: string) => failure(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message)
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    const field = topic.numPartitions !== -1 ? 'numPartitions' : 'replicationFactor'
    return failure(
      ErrorCode.INVALID_REQUEST,
      `A manual partition assignment was specified, but ${field} was not set to -1.`,
    )
  }
  const indexes = topic.assignments.map((assignment) => assignment.partitionIndex).sort((a, b) => a - b)
  if (indexes.some((index, position) => index !== position)) {
    return invalid('partitions should be a consecutive 0-based integer sequence')
  }
  for (const { brokerIds } of topic.assignments) {
    if (brokerIds.length === 0)
      return invalid('The manual partition assignment includes an empty replica list.')
    const repeated = brokerIds.find((id, position) => brokerIds.indexOf(id) !== position)
    if (repeated !== undefined) {
      return invalid(`The manual partition assignment includes the broker ${repeated} more than once.`)
    }
    const unknown = brokerIds.find((id) => id !== nodeId)
    if (unknown !== undefined) {
      return invalid(
        `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
      )
    }
  }
  return topic.assignments.length
}

function checkPartitionsAndReplicas(topic: CreatableTopic, context: PlanContext): number | Outcome {
  if (topic.assignments.length > 0) return checkAssignments(topic, context.nodeId)
  const partitionCount = topic.numPartitions === -1 ? context.defaultPartitions : topic.numPartitions
  if (partitionCount <= 0) {
    return failure(
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    )
  }
  const replicationFactor = topic.replicationFactor === -1 ? 1 : topic.replicationFactor
  if (replicationFactor <= 0) {
    return failure(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    )
  }
  if (replicationFactor > 1) {
    return failure(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ` +
        `${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
    )
  }
  return partitionCount
}

function checkConfigs(
  topic: CreatableTopic,
  stateTopic: StateTopicSpec | undefined,
): { configOverrides: Record<string, string> } | Outcome {
  const entries: [string, string][] = []
  const seen = new Set<string>()
  for (const { name, value } of topic.configs) {
    if (seen.has(name)) return failure(ErrorCode.INVALID_REQUEST, `Duplicate config key '${name}'.`)
    seen.add(name)
    if (value === null)
      return failure(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${name}`)
    entries.push([name, value])
  }
  const requested = Object.fromEntries(entries)
  try {
    validateTopicConfigOverrides(requested)
    const configOverrides = stateTopic === undefined ? requested : stateTopicOverrides(stateTopic, requested)
    return { configOverrides }
  } catch (error) {
    return outcomeOf(error)
  }
}

export function planTopic(topic: CreatableTopic, context: PlanContext): TopicPlan | Outcome {
  const nameProblem = checkName(topic.name, context.logs)
  if (nameProblem !== null) return nameProblem
  const partitionCount = checkPartitionsAndReplicas(topic, context)
  if (typeof partitionCount !== 'number') return partitionCount
  try {
    validatePartitionCount(partitionCount, topicPartitionsMax)
  } catch (error) {
    return outcomeOf(error)
  }
  const configs = checkConfigs(topic, context.stateTopic)
  if (!('configOverrides' in configs)) return configs
  return { name: topic.name, partitionCount, configOverrides: configs.configOverrides }
}
