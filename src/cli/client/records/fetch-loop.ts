// Reads partitions of one topic with plain Fetch requests (no group): from a start offset per
// partition, up to an end offset per partition (or forever when following). Yields the records of
// each fetch in order; skips records before the start (a fetch returns whole batches), control
// batches, and with read_committed the batches of aborted transactions.
import type { Connection, Consumer } from '@platformatic/kafka'
import type { CliContext } from '../context.ts'
import type { TopicMetadata } from '../topic-metadata.ts'
import type { ConsumedRecord } from './consumed-record.ts'
import {
  copyRawValues,
  type DecodedBatch,
  decompressedRecords,
  type FetchRequestTopic,
  forEachRawRecord,
  isCompressed,
  type RawBatch,
  type RawFetchPartition,
  type RawRecord,
  rawBatches,
  rawFetchApi,
  rawFetchVersion,
  type ValueSink,
} from './raw-fetch.ts'

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
  /** Plain values only (no filter, no columns): copied here, and nothing is yielded. */
  sink?: ValueSink
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

/** One fetch per leader: the partitions' raw answers. */
type FetchRound = Promise<RawFetchPartition[]>[]

/** Whether the broker serves Fetch v17 (the raw path); otherwise the library's fetch is used. */
async function supportsRawFetch(context: CliContext): Promise<boolean> {
  const admin = await context.kafka.admin()
  const apis = await context.kafka.call('listing API versions', admin.listApis())
  const fetchApi = apis.find((entry) => entry.apiKey === 1)
  return fetchApi !== undefined && fetchApi.maxVersion >= rawFetchVersion
}

/** The library's fetch, its decoded batches put back in the raw shape the loop reads. */
async function libraryFetch(
  consumer: Consumer,
  node: number,
  request: { maxWaitMs: number; isolationLevel: number; topics: FetchRequestTopic[] },
): Promise<RawFetchPartition[]> {
  const response = await consumer.fetch({
    node,
    maxWaitTime: request.maxWaitMs,
    minBytes: 1,
    maxBytes: fetchBytesMax,
    isolationLevel: request.isolationLevel,
    topics: request.topics,
  })
  const partitions: RawFetchPartition[] = []
  for (const topicResponse of response.responses) {
    for (const partition of topicResponse.partitions) {
      partitions.push({
        partitionIndex: partition.partitionIndex,
        errorCode: partition.errorCode,
        abortedTransactions: partition.abortedTransactions,
        records: null,
        decoded: (partition.records ?? []).map((batch) => ({
          firstOffset: batch.firstOffset,
          lastOffsetDelta: batch.lastOffsetDelta,
          attributes: batch.attributes & ~0x07, // already decompressed
          producerId: batch.producerId,
          firstTimestamp: batch.firstTimestamp,
          records: batch.records.map(
            (record): RawRecord => ({
              offsetDelta: record.offsetDelta,
              timestampDelta: Number(record.timestampDelta),
              key: record.key ?? null,
              value: record.value ?? null,
              headers: record.headers,
            }),
          ),
        })),
      })
    }
  }
  return partitions
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
  if (active.size === 0) return
  const raw = await supportsRawFetch(context)
  const api = raw ? await rawFetchApi() : undefined
  const connections = new Map<number, Connection>()

  const send = async (
    node: number,
    partitions: number[],
    positions: Map<number, bigint>,
  ): Promise<RawFetchPartition[]> => {
    const topics: FetchRequestTopic[] = [
      {
        topicId: plan.topic.id,
        partitions: partitions.map((partition) => ({
          partition,
          fetchOffset: positions.get(partition) ?? 0n,
          partitionMaxBytes: partitionFetchBytesMax,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        })),
      },
    ]
    if (api === undefined) {
      return libraryFetch(consumer, node, {
        maxWaitMs: plan.maxWaitMs,
        isolationLevel: plan.isolationLevel,
        topics,
      })
    }
    let connection = connections.get(node)
    if (connection === undefined) {
      connection = (await consumer.connectToBrokers([node])).get(node)
      if (connection === undefined) throw new Error(`no connection to broker ${node}`)
      connections.set(node, connection)
    }
    const response = await api.async(
      connection,
      plan.maxWaitMs,
      1,
      fetchBytesMax,
      plan.isolationLevel,
      0,
      -1, // no fetch session (KIP-227): every request names its partitions
      topics,
      [],
      '',
    )
    return response.partitions
  }

  const startRound = (positions: Map<number, bigint>): FetchRound => {
    const byLeader = new Map<number, number[]>()
    for (const partition of positions.keys()) {
      const leader = plan.topic.leaders[partition] ?? 0
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition])
    }
    return [...byLeader].map(([node, partitions]) => {
      const answer = context.kafka.call(`fetching from ${plan.topic.name}`, send(node, partitions, positions))
      answer.catch(() => {}) // awaited below; a round left behind at the end must not go unhandled
      return answer
    })
  }
  const activePositions = () =>
    new Map([...active].map((partition) => [partition, plan.positions.get(partition) ?? 0n]))

  let round: FetchRound | null = startRound(activePositions())
  while (round !== null && !context.interrupt.aborted) {
    const responses: RawFetchPartition[] = []
    for (const answer of round) responses.push(...(await answer))
    // The next fetch goes out as soon as this one is in, from the batch headers alone, so the broker
    // reads the next chunk while this one is decoded and printed (as librdkafka's fetcher does).
    const ahead = positionsAhead(plan, active, responses)
    let next: FetchRound | null = ahead === null || ahead.size === 0 ? null : startRound(ahead)
    const out: ConsumedRecord[] = []
    for (const partitionResponse of responses) await collect(plan, active, partitionResponse, out)
    const done = active.size === 0 || (plan.sink !== undefined && plan.sink.remaining <= 0)
    if (done) next = null
    else if (next === null || ahead === null || !samePositions(ahead, activePositions()))
      next = startRound(activePositions()) // the guess was off (an error, a stop): ask again
    round = next
    if (out.length > 0 || plan.sink !== undefined) yield out
  }
}

/** Where each active partition will be once `responses` are read: the end of its last whole batch
 * (bounded by the plan's end). Null when a response carries an error (collect decides what then). */
function positionsAhead(
  plan: FetchPlan,
  active: Set<number>,
  responses: RawFetchPartition[],
): Map<number, bigint> | null {
  const ahead = new Map<number, bigint>()
  for (const partition of active) ahead.set(partition, plan.positions.get(partition) ?? 0n)
  for (const response of responses) {
    if (response.errorCode !== 0) return null
    const batches = response.decoded ?? (response.records === null ? [] : rawBatches(response.records))
    const last = batches[batches.length - 1]
    if (last === undefined) continue
    const position = last.firstOffset + BigInt(last.lastOffsetDelta) + 1n
    const end = plan.ends?.get(response.partitionIndex)
    if (end !== undefined && position >= end) ahead.delete(response.partitionIndex)
    else if (position > (ahead.get(response.partitionIndex) ?? 0n))
      ahead.set(response.partitionIndex, position)
  }
  return ahead
}

function samePositions(a: Map<number, bigint>, b: Map<number, bigint>): boolean {
  if (a.size !== b.size) return false
  for (const [partition, position] of a) if (b.get(partition) !== position) return false
  return true
}

const emptyValue = Buffer.alloc(0)

/** Appends a partition's records from its position to its end; moves its position past what was read. */
async function collect(
  plan: FetchPlan,
  active: Set<number>,
  response: RawFetchPartition,
  out: ConsumedRecord[],
): Promise<void> {
  const partition = response.partitionIndex
  let position = plan.positions.get(partition) ?? 0n
  const end = plan.ends?.get(partition)
  const aborted = plan.isolationLevel === 1 ? response.abortedTransactions : []
  const batches: (RawBatch | DecodedBatch)[] =
    response.decoded ?? (response.records === null ? [] : rawBatches(response.records))
  const topic = plan.topic.name
  for (const batch of batches) {
    const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
    if ((batch.attributes & controlBit) !== 0 || isAbortedBatch(batch, aborted)) {
      if (batchEnd > position) position = batchEnd
      continue
    }
    const firstOffset = batch.firstOffset
    const firstTimestamp = batch.firstTimestamp
    // Offsets as numbers inside the loop (exact below 2^53), one BigInt per record kept.
    const skipBelow = Number(position - firstOffset)
    const stopAt = end === undefined ? Number.POSITIVE_INFINITY : Number(end - firstOffset)
    let lastDelta = -1
    let reachedEnd = false
    const sink = plan.sink
    if (sink !== undefined && sink.remaining <= 0) break
    const visit = (record: RawRecord): boolean => {
      if (record.offsetDelta < skipBelow) return true
      if (record.offsetDelta >= stopAt || (sink !== undefined && sink.remaining <= 0)) {
        reachedEnd = true
        return false
      }
      lastDelta = record.offsetDelta
      if (sink !== undefined) {
        const value = record.value ?? emptyValue
        sink.add(value, 0, value.length)
        return true
      }
      out.push({
        topic,
        partition,
        offset: firstOffset + BigInt(record.offsetDelta),
        timestamp: firstTimestamp + BigInt(record.timestampDelta),
        key: record.key,
        value: record.value,
        headers: record.headers,
      })
      return true
    }
    if ('records' in batch) {
      for (const record of batch.records) if (!visit(record)) break
    } else if (isCompressed(batch)) {
      for (const record of await decompressedRecords(batch)) if (!visit(record)) break
    } else if (sink !== undefined) {
      const copied = copyRawValues(batch, skipBelow, stopAt, sink)
      lastDelta = copied.lastDelta
      reachedEnd = copied.stopped
    } else forEachRawRecord(batch, visit)
    if (lastDelta >= 0) position = firstOffset + BigInt(lastDelta) + 1n
    if (!reachedEnd && batchEnd > position && (end === undefined || batchEnd <= end)) position = batchEnd
  }
  plan.positions.set(partition, position)
  if (end !== undefined && position >= end) active.delete(partition)
}
