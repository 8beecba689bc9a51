// What `topics describe`, `topics watch`, `info`, `top` and `groups describe` read about partitions:
// log start and end offsets (ListOffsets) and sizes on disk (DescribeLogDirs), per topic.
import type { CliContext } from './context.ts'

export interface PartitionState {
  partition: number
  leader: number
  logStartOffset: bigint
  highWatermark: bigint
  sizeBytes: bigint
}

/** Offsets for many topics in one ListOffsets round per timestamp (-2 earliest, -1 latest). */
export async function partitionOffsets(
  context: CliContext,
  topics: Map<string, number>,
  timestamp: bigint,
): Promise<Map<string, bigint[]>> {
  const result = new Map<string, bigint[]>()
  if (topics.size === 0) return result
  const admin = await context.kafka.admin()
  const answer = await context.kafka.call(
    'listing offsets',
    admin.listOffsets({
      topics: [...topics].map(([name, count]) => ({
        name,
        partitions: [...Array(count).keys()].map((partitionIndex) => ({ partitionIndex, timestamp })),
      })),
    }),
  )
  for (const topic of answer) {
    const offsets: bigint[] = Array(topics.get(topic.name) ?? 0).fill(0n)
    for (const partition of topic.partitions) offsets[partition.partitionIndex] = partition.offset
    result.set(topic.name, offsets)
  }
  return result
}

/** Bytes on disk per topic and partition; an empty map where the broker does not answer DescribeLogDirs. */
export async function partitionSizes(
  context: CliContext,
  topics: Map<string, number>,
): Promise<Map<string, bigint[]>> {
  const result = new Map<string, bigint[]>()
  if (topics.size === 0) return result
  const admin = await context.kafka.admin()
  let answer: Awaited<ReturnType<typeof admin.describeLogDirs>>
  try {
    answer = await context.kafka.call(
      'describing log dirs',
      admin.describeLogDirs({
        topics: [...topics].map(([name, count]) => ({ name, partitions: [...Array(count).keys()] })),
      }),
    )
  } catch {
    return result // sizes are extra information: a broker without DescribeLogDirs still gets the rest
  }
  for (const broker of answer) {
    for (const directory of broker.results) {
      for (const topic of directory.topics) {
        const sizes = result.get(topic.name) ?? Array(topics.get(topic.name) ?? 0).fill(0n)
        for (const partition of topic.partitions) sizes[partition.partitionIndex] = partition.partitionSize
        result.set(topic.name, sizes)
      }
    }
  }
  return result
}

/** Partition counts of every (non-internal) topic, or of the given ones. */
export async function topicPartitionCounts(
  context: CliContext,
  names?: string[],
): Promise<Map<string, number>> {
  const admin = await context.kafka.admin()
  const topics =
    names ?? (await context.kafka.call('listing topics', admin.listTopics({ includeInternals: false })))
  if (topics.length === 0) return new Map()
  const metadata = await context.kafka.call('reading metadata', admin.metadata({ topics, forceUpdate: true }))
  return new Map(
    [...metadata.topics]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, topic]) => [name, topic.partitionsCount]),
  )
}
