// Topic set-up for the workloads: CreateTopics through the generated codecs, on a short-lived
// connection of its own (so a load connection never carries admin traffic).
import {
  createDefaultCreatableTopic,
  createDefaultCreateTopicsRequest,
} from '../../../src/protocol/generated/create-topics-request.ts'
import { ApiKey, ErrorCode, errorName } from '../../../src/protocol/generated/index.ts'
import { KafkaConnection } from './kafka-connection.ts'

const createTopicsVersion = 7
/** Creating 1,000 partitions on a busy machine takes seconds; the broker bounds it by this. */
const createTopicsTimeoutMs = 120_000

export interface TopicSpec {
  name: string
  partitions: number
  /** Kafka topic configs (`retention.ms`, ...). */
  configs?: Record<string, string>
}

/** Creates the topics (an existing one is an error: each workload uses fresh names). */
export async function createTopics(host: string, port: number, topics: readonly TopicSpec[]): Promise<void> {
  const connection = await KafkaConnection.open(host, port)
  try {
    const response = await connection.request(ApiKey.CreateTopics, createTopicsVersion, {
      ...createDefaultCreateTopicsRequest(),
      timeoutMs: createTopicsTimeoutMs,
      validateOnly: false,
      topics: topics.map((topic) => ({
        ...createDefaultCreatableTopic(),
        name: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })
    const failed = response.topics.filter((topic) => topic.errorCode !== ErrorCode.NONE)
    if (failed.length > 0) {
      const reasons = failed.map(
        (topic) => `${topic.name}: ${errorName(topic.errorCode)} ${topic.errorMessage ?? ''}`,
      )
      throw new Error(`CreateTopics failed: ${reasons.join('; ')}`)
    }
  } finally {
    connection.close()
  }
}

/** Partition ids 0..count-1. */
export function partitionRange(count: number): number[] {
  return Array.from({ length: count }, (_, partition) => partition)
}
