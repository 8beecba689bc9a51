// Produce v9 with record batches built by the broker's own encoder (src/protocol/records/batch-v2.ts),
// sent on @platformatic/kafka's pooled connections with the library's response parser (the CLI's
// raw-produce.ts does the same for `produce --file`). Why: the library encodes every field of every
// record into a small Buffer of its own; for a source task writing 100-byte lines that encoding and
// its garbage were most of the worker's CPU (bench/suite/workloads/connect-flow.ts).
//
// Same placement as the library's producer with compatibilityPartitioner (an explicit partition, else
// murmur2(key) & 0x7fffffff, else partition 0; modulo the partition count), same acks. Anything this
// path does not answer itself (an error code, a dropped connection, an old broker) is for the caller
// to hand to the library's producer, whose retries and metadata refreshes then take over.

import {
  type ClusterMetadata,
  type Connection,
  compatibilityPartitioner,
  createAPI,
  type Producer,
  produceV9,
  Writer,
} from '@platformatic/kafka'
import { buildBatch } from '../../protocol/records/batch-v2.ts'
import type { ProducedRecord } from './kafka-client.ts'
import { type AccumulatedBatch, recordInput } from './record-accumulator.ts'

type ProduceAnswer = Awaited<ReturnType<typeof produceV9.api.async>>

/** A partition's batch in the request. */
type PartitionBatch = Pick<AccumulatedBatch, 'topic' | 'partition' | 'batch'>

const produceV9Api = createAPI(
  0,
  9,
  (acks: number, timeoutMs: number, batches: PartitionBatch[]) => {
    const byTopic = new Map<string, PartitionBatch[]>()
    for (const entry of batches) {
      const list = byTopic.get(entry.topic)
      if (list === undefined) byTopic.set(entry.topic, [entry])
      else list.push(entry)
    }
    return Writer.create()
      .appendString(null) // transactional id
      .appendInt16(acks)
      .appendInt32(timeoutMs)
      .appendArray([...byTopic], (topicWriter, [topic, partitions]) => {
        topicWriter.appendString(topic).appendArray(partitions, (partitionWriter, entry) => {
          partitionWriter
            .appendInt32(entry.partition)
            .appendUnsignedVarInt(entry.batch.length + 1)
            .append(entry.batch)
        })
      })
      .appendTaggedFields()
  },
  produceV9.parseResponse,
)

function produceAsync(
  connection: Connection,
  acks: number,
  timeoutMs: number,
  batches: PartitionBatch[],
): Promise<ProduceAnswer> {
  return new Promise((resolve, reject) => {
    produceV9Api(connection, acks, timeoutMs, batches, (error: Error | null, answer: ProduceAnswer) => {
      if (error !== null && error !== undefined) reject(error)
      else resolve(answer)
    })
  })
}

/** The partition the library's producer would choose (compatibilityPartitioner). */
export function partitionOf(record: ProducedRecord, partitionsCount: number): number {
  // Without a key the partitioner answers 0 (no message object built for it per record).
  const chosen =
    record.partition ??
    (record.key === null ? 0 : compatibilityPartitioner({ topic: record.topic }, record.key))
  return chosen % partitionsCount
}

/**
 * Writes `records` with one Produce v9 per partition leader (one batch per partition, in the
 * records' order): each record's partition and offset, as the library's send answers them.
 * Throws what the request or the answer failed with (the caller falls back to the library).
 */
export async function produceBatches(
  producer: Producer,
  records: ProducedRecord[],
  acks: number,
  timeoutMs: number,
): Promise<Array<{ partition: number; offset: number }>> {
  const topics = [...new Set(records.map((record) => record.topic))]
  const metadata: ClusterMetadata = await producer.metadata({ topics, autocreateTopics: true })
  const placed = new Map<string, { topic: string; partition: number; indexes: number[] }>()
  const answers: Array<{ partition: number; offset: number }> = new Array(records.length)
  records.forEach((record, index) => {
    const topic = metadata.topics.get(record.topic)
    if (topic === undefined) throw new Error(`no metadata for topic ${record.topic}`)
    const partition = partitionOf(record, topic.partitionsCount)
    answers[index] = { partition, offset: -1 }
    const key = `${record.topic}\u0000${partition}`
    let entry = placed.get(key)
    if (entry === undefined) {
      entry = { topic: record.topic, partition, indexes: [] }
      placed.set(key, entry)
    }
    entry.indexes.push(index)
  })
  const now = Date.now()
  const entries = [...placed.values()]
  const batches: AccumulatedBatch[] = []
  for (const entry of entries)
    batches.push({
      topic: entry.topic,
      partition: entry.partition,
      batch: await buildBatch({ records: entry.indexes.map((index) => recordInput(records[index], now)) }),
      recordCount: entry.indexes.length,
    })
  const baseOffsets = await produceBuiltBatches(producer, batches, acks, timeoutMs, metadata)
  entries.forEach((entry, batchIndex) => {
    entry.indexes.forEach((index, position) => {
      answers[index].offset = baseOffsets[batchIndex] + position
    })
  })
  return answers
}

/**
 * Writes batches already built (record-accumulator.ts) with one Produce v9 per partition leader:
 * each batch's base offset, in the batches' order. Throws what the request or the answer failed with.
 */
export async function produceBuiltBatches(
  producer: Producer,
  batches: AccumulatedBatch[],
  acks: number,
  timeoutMs: number,
  known?: ClusterMetadata,
): Promise<number[]> {
  const metadata =
    known ??
    (await producer.metadata({
      topics: [...new Set(batches.map((entry) => entry.topic))],
      autocreateTopics: true,
    }))
  const byLeader = new Map<number, PartitionBatch[]>()
  for (const entry of batches) {
    const leader = metadata.topics.get(entry.topic)?.partitions[entry.partition]?.leader ?? -1
    if (leader < 0) throw new Error(`no leader for ${entry.topic}/${entry.partition}`)
    const list = byLeader.get(leader)
    if (list === undefined) byLeader.set(leader, [entry])
    else list.push(entry)
  }
  const connections = await producer.connectToBrokers([...byLeader.keys()])
  const baseOffsets = new Map<string, number>()
  await Promise.all(
    [...byLeader].map(async ([leader, leaderBatches]) => {
      const connection = connections.get(leader)
      if (connection === undefined) throw new Error(`no connection to broker ${leader}`)
      const answer = await produceAsync(connection, acks, timeoutMs, leaderBatches)
      if (typeof answer !== 'object') throw new Error('Produce without an answer (acks=0 is not used here)')
      for (const topic of answer.responses)
        for (const partition of topic.partitionResponses)
          baseOffsets.set(`${topic.name}\u0000${partition.index}`, Number(partition.baseOffset))
    }),
  )
  return batches.map((entry) => {
    const base = baseOffsets.get(`${entry.topic}\u0000${entry.partition}`)
    if (base === undefined) throw new Error(`no answer for ${entry.topic}/${entry.partition}`)
    return base
  })
}
