// The names and settings of Connect's three state topics (Kafka Connect's defaults for
// config.storage.topic, offset.storage.topic and status.storage.topic and their partition counts).
// All compacted: a state topic under cleanup.policy=delete would lose state to retention.

import type { StateTopic } from './kafka-based-log.ts'

export interface StateTopicNames {
  configs: string
  offsets: string
  status: string
}

export const defaultStateTopicNames: StateTopicNames = {
  configs: 'connect-configs',
  offsets: 'connect-offsets',
  status: 'connect-status',
}

export function stateTopics(names: StateTopicNames): {
  configs: StateTopic
  offsets: StateTopic
  status: StateTopic
} {
  const compacted = { 'cleanup.policy': 'compact' }
  return {
    // One partition: config records must be read in the order they were written (task configs, then
    // their commit record).
    configs: { name: names.configs, partitions: 1, configs: compacted },
    offsets: { name: names.offsets, partitions: 25, configs: compacted },
    status: { name: names.status, partitions: 5, configs: compacted },
  }
}

export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

export function parseJson(bytes: Buffer | null): unknown {
  return bytes === null || bytes.length === 0 ? null : JSON.parse(bytes.toString('utf8'))
}
