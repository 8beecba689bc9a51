// Fetch (key 1), v0-17: reads record batches, long-polling until min_bytes or max_wait_ms.
// v0-3: magic 0/1 message sets (down-converted) · v3: max_bytes (KIP-74) · v4: isolation level,
// last stable offset, aborted transactions, record batch v2 · v5: log start offset · v7: fetch
// sessions (KIP-227) · v9: current leader epoch (KIP-320) · v10: zstd · v11: rack, preferred read
// replica (KIP-392 in cluster mode: fetch/preferred-read-replica.ts; -1 otherwise) · v12: flexible,
// last fetched epoch · v13: topic ids (KIP-516) · v15-17: replica state and directory
// (KIP-903/966/853; ignored, only consumers fetch here).
// read_committed stops at the last stable offset and lists the aborted transactions of the range.
// Long poll (fetch/wait-for-data.ts): listens for appends from before the first read, so one landing
// during the read (a Produce pipelined just ahead on the same connection) is not missed, and re-reads
// after each append until min_bytes (up to the last stable offset for read_committed) or max_wait_ms;
// a partition whose read fails (OFFSET_OUT_OF_RANGE, …) ends the wait at once, as in Kafka.
// ACLs: READ on the topic, else TOPIC_AUTHORIZATION_FAILED per partition (not read, not waited on). Known gaps: partitions are read in request order (no rotation for fairness).

import { setTimeout as sleep } from 'node:timers/promises'
import type { BrokerMetrics } from '../../metrics/broker-metrics.ts'
import { deferredBytesField } from '../../protocol/deferred-bytes.ts'
import type { FetchableTopicResponse, PartitionData } from '../../protocol/generated/fetch-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { IsolationLevel } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'
import { planFetch } from './fetch/fetch-plan.ts'
import type { SessionPartition } from './fetch/fetch-session-cache.ts'
import { preferredReadReplicas, redirectedRead } from './fetch/preferred-read-replica.ts'
import {
  logsOf,
  type PartitionRead,
  readPartitions,
  recordBytes,
  recordsLength,
  releaseSlices,
} from './fetch/read-partitions.ts'
import { StreamedRecords } from './fetch/streamed-records.ts'
import { AppendWatch } from './fetch/wait-for-data.ts'

/** max_bytes before v3 had no response limit. */
const unlimitedResponseBytes = 0x7fffffff
/** From v10 the records go out as stored (no down-conversion, no zstd check), so large reads
 * (limits.fetchStreamBytesMin) are streamed from the log to the socket (fetch/streamed-records.ts)
 * instead of read into memory first. */
const streamedFetchVersionMin = 10

/** An in-process Fetch answer's partition (RequestContext.takesRecordBatches): the in-memory engine's
 * batches as stored, in place of `records` (then empty), so reading them copies nothing. */
export interface InProcessPartitionData extends PartitionData {
  recordBatches?: readonly Buffer[]
}

export const fetch = defineHandler({
  apiKey: ApiKey.Fetch,
  versions: { min: 0, max: 17 },
  async handle(context, request) {
    const { logs, fetchSessions, limits } = context.services
    const apiVersion = context.apiVersion
    const plan = planFetch(request, { apiVersion, sessions: fetchSessions, logs })
    const isolation: IsolationLevel = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted'
    const options = {
      apiVersion,
      isolation,
      logs,
      responseBytesMax: apiVersion >= 3 ? request.maxBytes : unlimitedResponseBytes,
      ...(apiVersion >= streamedFetchVersionMin && context.streamsRecords === true
        ? { sliceBytesMin: limits.fetchStreamBytesMin }
        : {}),
      ...(apiVersion >= streamedFetchVersionMin && context.takesRecordBatches === true
        ? { batchesApart: true }
        : {}),
    }
    // Partitions the principal may not READ are answered with an error and never read or waited on.
    const permitted = plan.partitions.filter((target) =>
      allows(context, AclOperation.READ, ResourceType.TOPIC, target.topic),
    )
    // KIP-392: partitions a consumer should fetch from a broker of its rack are answered without data.
    const redirected = preferredReadReplicas(permitted, {
      apiVersion,
      clientRack: request.rackId,
      replicaId: request.replicaId,
      identity: context.services.identity,
      cluster: context.services.cluster,
    })
    const allowed = permitted.filter((target) => !redirected.has(target))
    const redirectedReads = () =>
      [...redirected].map(([target, replicaId]) => redirectedRead(target, replicaId, logs))
    const readAll = async () =>
      inPlanOrder(plan.partitions, [...(await readPartitions(allowed, options)), ...redirectedReads()])
    const waitMs = Math.min(request.maxWaitMs, limits.fetchWaitMsMax)
    // As Kafka: an answer naming a preferred read replica goes at once.
    const mayWait = plan.errorCode === 0 && request.minBytes > 0 && waitMs > 0 && redirected.size === 0
    // Listening starts before the first read, so an append landing during it is not missed.
    const watch = mayWait ? new AppendWatch(logsOf(allowed, logs)) : null
    let reads: PartitionRead[]
    try {
      reads = await readAll()
      if (watch !== null && !answersAtOnce(reads, request.minBytes)) {
        const waitStartedMs = performance.now()
        releaseSlices(reads) // read again below
        reads = await readUntilMinBytes(watch, readAll, { minBytes: request.minBytes, waitMs })
        context.quota?.parked(performance.now() - waitStartedMs) // a long-poll is not request_percentage work
      }
    } finally {
      watch?.close()
    }
    const included = plan.incremental ? reads.filter(hasNews) : reads
    releaseSlices(reads.filter((read) => !included.includes(read)))
    for (const read of reads) rememberSent(read)
    for (const read of included) countFetched(context.services.metrics, read)
    return {
      throttleTimeMs: 0,
      errorCode: plan.errorCode,
      sessionId: plan.sessionId,
      responses: groupByTopic(included, isolation),
      nodeEndpoints: [],
    }
  },
})

/**
 * While a Fetch holds some records but fewer than min_bytes, it re-reads at most this often: each
 * re-read reads all it holds again, so re-reading at every small append would cost quadratic reads.
 */
const partialRereadIntervalMs = 10

/**
 * Re-reads after each append until the reads hold min_bytes or max_wait_ms has passed (then once
 * more: the answer carries the partitions' state at expiry). An append that does not bring enough
 * (a read_committed Fetch behind an open transaction, min_bytes > 1) waits on, as Kafka's
 * DelayedFetch does, rather than answering early.
 */
async function readUntilMinBytes(
  watch: AppendWatch,
  readAll: () => Promise<PartitionRead[]>,
  options: { minBytes: number; waitMs: number },
): Promise<PartitionRead[]> {
  const deadlineMs = performance.now() + options.waitMs
  for (;;) {
    const appended = await watch.nextAppend(deadlineMs - performance.now())
    const reads = await readAll()
    if (!appended || answersAtOnce(reads, options.minBytes)) return reads
    const bytes = recordBytes(reads)
    releaseSlices(reads)
    const pauseMs = Math.min(partialRereadIntervalMs, deadlineMs - performance.now())
    // Appends during the pause are remembered by the watch: the next wait ends at once.
    if (bytes > 0 && pauseMs > 0) await sleep(pauseMs)
  }
}

/** Errors a Fetch answers without reading, as Kafka's KafkaApis filters them out before it waits. */
const notReadErrors = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
])

/**
 * Kafka's ReplicaManager.fetchMessages answers at once with min_bytes of records, or when reading a
 * partition failed (OFFSET_OUT_OF_RANGE, a leader epoch error, a storage error: errorReadingData).
 */
function answersAtOnce(reads: PartitionRead[], minBytes: number): boolean {
  return (
    recordBytes(reads) >= minBytes ||
    reads.some((read) => read.errorCode !== ErrorCode.NONE && !notReadErrors.has(read.errorCode))
  )
}

/** The reads in plan order; a partition without a read was refused: TOPIC_AUTHORIZATION_FAILED. */
function inPlanOrder(
  partitions: readonly SessionPartition[],
  reads: readonly PartitionRead[],
): PartitionRead[] {
  const byTarget = new Map(reads.map((read) => [read.target, read]))
  return partitions.map(
    (target) =>
      byTarget.get(target) ?? {
        target,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        records: Buffer.alloc(0),
        slice: null,
        abortedTransactions: [],
      },
  )
}

/** Bytes and records out (metrics); a slice's records are counted from its offsets, not read. */
function countFetched(metrics: BrokerMetrics | undefined, read: PartitionRead): void {
  if (read.batches !== undefined) for (const batch of read.batches) metrics?.fetched(read.target.topic, batch)
  else if (read.slice === null) metrics?.fetched(read.target.topic, read.records)
  else metrics?.fetchedSlice(read.target.topic, read.slice.length, read.slice.recordCount)
}

/** KIP-227: an incremental response carries a partition only when something changed for it. */
function hasNews(read: PartitionRead): boolean {
  const sent = read.target.sent
  return (
    sent === null ||
    recordsLength(read) > 0 ||
    read.errorCode !== 0 ||
    read.preferredReadReplica !== undefined ||
    sent.highWatermark !== read.highWatermark ||
    sent.lastStableOffset !== read.lastStableOffset ||
    sent.logStartOffset !== read.logStartOffset
  )
}

function rememberSent(read: PartitionRead): void {
  const { highWatermark, lastStableOffset, logStartOffset } = read
  read.target.sent = { highWatermark, lastStableOffset, logStartOffset }
}

function groupByTopic(reads: PartitionRead[], isolation: IsolationLevel): FetchableTopicResponse[] {
  const topics: FetchableTopicResponse[] = []
  for (const read of reads) {
    const last = topics[topics.length - 1]
    const sameTopic =
      last !== undefined && last.topic === read.target.topic && last.topicId === read.target.topicId
    const topic = sameTopic
      ? last
      : { topic: read.target.topic, topicId: read.target.topicId, partitions: [] }
    if (!sameTopic) topics.push(topic)
    topic.partitions.push(partitionData(read, isolation))
  }
  return topics
}

function partitionData(read: PartitionRead, isolation: IsolationLevel): InProcessPartitionData {
  return {
    partitionIndex: read.target.partition,
    errorCode: read.errorCode,
    highWatermark: BigInt(read.highWatermark),
    lastStableOffset: BigInt(read.lastStableOffset),
    logStartOffset: BigInt(read.logStartOffset),
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions:
      isolation === 'read_committed'
        ? read.abortedTransactions.map((entry) => ({
            producerId: entry.producerId,
            firstOffset: BigInt(entry.firstOffset),
          }))
        : null,
    preferredReadReplica: read.preferredReadReplica ?? -1,
    // A slice goes in as a stand-in that the connection streams from the log (protocol/deferred-bytes.ts).
    records: read.slice === null ? read.records : deferredBytesField(new StreamedRecords(read.slice)),
    ...(read.batches === undefined ? {} : { recordBatches: read.batches }),
  }
}
