// Turns a Fetch request into the list of partitions to read, through the session rules of KIP-227
// (Kafka's FetchManager.newContext):
//   epoch -1 (FINAL): no session; a given session id is closed first. Full fetch.
//   epoch 0 (INITIAL): a new session with the request's partitions (an old one is closed). Full fetch.
//   epoch N > 0: the session must exist (FETCH_SESSION_ID_NOT_FOUND) and expect N
//   (INVALID_FETCH_SESSION_EPOCH); the request's partitions are added or updated, forgotten ones
//   removed, and the response carries only partitions with news (incremental).

import type { FetchRequest } from '../../../protocol/generated/fetch-request.ts'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import type { LogManager } from '../../../storage/types.ts'
import {
  type FetchSession,
  type FetchSessionCache,
  type SessionPartition,
  sessionPartitionKey,
} from './fetch-session-cache.ts'

const finalEpoch = -1
const initialEpoch = 0
/** Fetch v13 names topics by id (KIP-516). */
const topicIdFetchVersionMin = 13
const zeroUuid = '00000000-0000-0000-0000-000000000000'

export interface FetchPlan {
  /** Top-level error (v7+): the session could not be used; nothing is read. */
  errorCode: number
  /** The session id the response carries (0: no session). */
  sessionId: number
  /** True when only partitions with news go in the response. */
  incremental: boolean
  partitions: SessionPartition[]
}

export function planFetch(
  request: FetchRequest,
  options: { apiVersion: number; sessions: FetchSessionCache; logs: LogManager },
): FetchPlan {
  const { sessions } = options
  const requested = requestedPartitions(request, options)
  if (request.sessionEpoch === finalEpoch || request.sessionEpoch === initialEpoch) {
    if (request.sessionId !== 0) sessions.remove(request.sessionId)
    const session = request.sessionEpoch === initialEpoch ? sessions.create() : null
    if (session !== null) {
      for (const partition of requested)
        session.partitions.set(keyOf(partition, options.apiVersion), partition)
    }
    return {
      errorCode: ErrorCode.NONE,
      sessionId: session?.id ?? 0,
      incremental: false,
      partitions: requested,
    }
  }
  const session = sessions.get(request.sessionId)
  if (session === undefined) return failedPlan(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  if (session.nextEpoch !== request.sessionEpoch) {
    return failedPlan(ErrorCode.INVALID_FETCH_SESSION_EPOCH, session.id)
  }
  updateSession(session, request, requested, options.apiVersion)
  session.nextEpoch = session.nextEpoch === 0x7fffffff ? 1 : session.nextEpoch + 1
  return {
    errorCode: ErrorCode.NONE,
    sessionId: session.id,
    incremental: true,
    partitions: [...session.partitions.values()],
  }
}

function failedPlan(errorCode: number, sessionId = 0): FetchPlan {
  return { errorCode, sessionId, incremental: false, partitions: [] }
}

function keyOf(partition: SessionPartition, apiVersion: number): string {
  const topicKey = apiVersion >= topicIdFetchVersionMin ? partition.topicId : partition.topic
  return sessionPartitionKey(topicKey, partition.partition)
}

function updateSession(
  session: FetchSession,
  request: FetchRequest,
  requested: SessionPartition[],
  apiVersion: number,
): void {
  for (const partition of requested) {
    const key = keyOf(partition, apiVersion)
    const cached = session.partitions.get(key)
    if (cached === undefined) {
      session.partitions.set(key, partition)
      continue
    }
    cached.fetchOffset = partition.fetchOffset
    cached.partitionMaxBytes = partition.partitionMaxBytes
    cached.currentLeaderEpoch = partition.currentLeaderEpoch
  }
  for (const forgotten of request.forgottenTopicsData) {
    const topicKey = apiVersion >= topicIdFetchVersionMin ? forgotten.topicId : forgotten.topic
    for (const partition of forgotten.partitions)
      session.partitions.delete(sessionPartitionKey(topicKey, partition))
  }
}

/** The request's partitions with both topic name and id resolved ('' / zero when unknown). */
function requestedPartitions(
  request: FetchRequest,
  options: { apiVersion: number; logs: LogManager },
): SessionPartition[] {
  const byId = options.apiVersion >= topicIdFetchVersionMin
  return request.topics.flatMap((topic) => {
    const description = byId ? options.logs.getTopicById(topic.topicId) : options.logs.getTopic(topic.topic)
    const name = byId ? (description?.name ?? '') : topic.topic
    const topicId = byId ? topic.topicId : (description?.topicId ?? zeroUuid)
    return topic.partitions.map((partition) => ({
      topic: name,
      topicId,
      partition: partition.partition,
      fetchOffset: Number(partition.fetchOffset),
      partitionMaxBytes: partition.partitionMaxBytes,
      currentLeaderEpoch: partition.currentLeaderEpoch,
      sent: null,
    }))
  })
}
