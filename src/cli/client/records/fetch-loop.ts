// Reads partitions of one topic with plain Fetch requests (no group): from a start offset per
// partition, up to an end offset per partition (or forever when following). Yields the records of
// each fetch in order; skips records before the start (a fetch returns whole batches), control
// batches, and with read_committed the batches of aborted transactions.
import type { Consumer } from '@platformatic/kafka'
import type { CliContext } from '../context.ts'
import type { TopicMetadata } from '../topic-metadata.ts'
import type { ConsumedRecord } from './consumed-record.ts'

export const isolationLevels = { read_uncommitted: 0, read_committed: 1 } as const

export interface FetchPlan {
  topic: TopicMetadata
  /** Next offset to read per partition. */
  positions: Map<number, bigint>
  /** Stop a partition at this offset (exclusive); null = follow. */
  ends: Map<number, bigint> | null
  isolationLevel: number
  /** Long-poll wait when nothing is there. */
  maxWaitMs: number
}

const transactionalBit = 0x10
const controlBit = 0x20
const fetchBytesMax = 16 * 1024 * 1024
const partitionFetchBytesMax = 4 * 1024 * 1024

/** Start or end offsets by ListOffsets: -2 earliest, -1 latest, else the first offset at or after a time (latest when none). */
export async function listOffsetsAt(
  context: CliContext,
  consumer: Consumer,
  topic: string,
  partitions: number[],
  timestamp: bigint,
  isolationLevel: number,
): Promise<Map<number, bigint>> {
  const answer = await context.kafka.call(
    `listing offsets of ${topic}`,
    consumer.listOffsetsWithTimestamps({
      topics: [topic],
      partitions: { [topic]: partitions },
      timestamp,
      isolationLevel,
    }),
  )
  const byPartition = answer.get(topic) ?? new Map<number, { offset: bigint }>()
  const result = new Map<number, bigint>()
  let missing: number[] = []
  for (const partition of partitions) {
    const offset = byPartition.get(partition)?.offset ?? -1n
    if (offset < 0n) missing.push(partition)
    else result.set(partition, offset)
  }
  if (missing.length > 0 && timestamp !== -1n) {
    const latest = await listOffsetsAt(context, consumer, topic, missing, -1n, isolationLevel)
    for (const [partition, offset] of latest) result.set(partition, offset)
    missing = []
  }
  return result
}

function isAbortedBatch(
  batch: { producerId: bigint; firstOffset: bigint; attributes: number },
  aborted: { producerId: bigint; firstOffset: bigint }[],
): boolean {
  if ((batch.attributes & transactionalBit) === 0) return false
  return aborted.some(
    (entry) => entry.producerId === batch.producerId && entry.firstOffset <= batch.firstOffset,
  )
}

export async function* fetchLoop(
  context: CliContext,
  consumer: Consumer,
  plan: FetchPlan,
): AsyncGenerator<ConsumedRecord[]> {
  const active = new Set(
    [...plan.positions.keys()].filter(
      (partition) =>
        plan.ends === null || (plan.positions.get(partition) ?? 0n) < (plan.ends.get(partition) ?? 0n),
    ),
  )
  const byLeader = new Map<number, number[]>()
  while (active.size > 0 && !context.interrupt.aborted) {
    byLeader.clear()
    for (const partition of active) {
      const leader = plan.topic.leaders[partition] ?? 0
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition])
    }
    for (const [node, partitions] of byLeader) {
      const response = await context.kafka.call(
        `fetching from ${plan.topic.name}`,
        consumer.fetch({
          node,
          maxWaitTime: plan.maxWaitMs,
          minBytes: 1,
          maxBytes: fetchBytesMax,
          isolationLevel: plan.isolationLevel,
          topics: [
            {
              topicId: plan.topic.id,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: plan.positions.get(partition) ?? 0n,
                partitionMaxBytes: partitionFetchBytesMax,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            },
          ],
        }),
      )
      const out: ConsumedRecord[] = []
      for (const topicResponse of response.responses) {
        for (const partitionResponse of topicResponse.partitions) {
          const partition = partitionResponse.partitionIndex
          let position = plan.positions.get(partition) ?? 0n
          const end = plan.ends?.get(partition)
          const aborted = plan.isolationLevel === 1 ? partitionResponse.abortedTransactions : []
          for (const batch of partitionResponse.records ?? []) {
            const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
            if ((batch.attributes & controlBit) !== 0 || isAbortedBatch(batch, aborted)) {
              if (batchEnd > position) position = batchEnd
              continue
            }
            for (const record of batch.records) {
              const offset = batch.firstOffset + BigInt(record.offsetDelta)
              if (offset < position) continue
              if (end !== undefined && offset >= end) break
              out.push({
                topic: plan.topic.name,
                partition,
                offset,
                timestamp: batch.firstTimestamp + record.timestampDelta,
                key: record.key,
                value: record.value,
                headers: record.headers,
              })
              position = offset + 1n
            }
            if (batchEnd > position && (end === undefined || batchEnd <= end)) position = batchEnd
          }
          plan.positions.set(partition, position)
          if (end !== undefined && position >= end) active.delete(partition)
        }
      }
      if (out.length > 0) yield out
    }
  }
}
