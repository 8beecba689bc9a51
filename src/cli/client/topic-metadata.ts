// Topic metadata for commands that need a topic's id and partition count first (produce, consume,
// import, groups reset). An unknown topic fails here, with Kafka's error name, before any data moves.
import type { CliContext } from './context.ts'
import { CliFailure, describeError } from './errors.ts'

export interface TopicMetadata {
  name: string
  id: string
  partitionCount: number
  leaders: number[]
}

export async function topicMetadata(context: CliContext, topic: string): Promise<TopicMetadata> {
  const admin = await context.kafka.admin()
  let metadata: Awaited<ReturnType<typeof admin.metadata>>
  try {
    metadata = await context.kafka.call(
      'reading metadata',
      admin.metadata({ topics: [topic], forceUpdate: true }),
    )
  } catch (error) {
    if (/^UNKNOWN_TOPIC_OR_PARTITION|Unknown topic/.test(describeError(error))) {
      throw new CliFailure(`UNKNOWN_TOPIC_OR_PARTITION: topic '${topic}' does not exist`, { cause: error })
    }
    throw error
  }
  const found = metadata.topics.get(topic)
  if (found === undefined) throw new CliFailure(`UNKNOWN_TOPIC_OR_PARTITION: topic '${topic}' does not exist`)
  return {
    name: topic,
    id: found.id,
    partitionCount: found.partitionsCount,
    leaders: found.partitions.map((partition) => partition.leader),
  }
}

/** Validates -p against the topic's partitions. */
export function checkPartition(metadata: TopicMetadata, partition: number): void {
  if (partition >= metadata.partitionCount) {
    throw new CliFailure(
      `UNKNOWN_TOPIC_OR_PARTITION: topic '${metadata.name}' has ${metadata.partitionCount} partition(s); there is no partition ${partition}`,
    )
  }
}
