// Produce load for the latency and fetch workloads, on pre-encoded Produce v9 frames (one per
// partition, sent round-robin). Two shapes:
// - closed loop: keep N requests in flight per connection as fast as acks come back (max rate);
// - open loop: send on a fixed schedule whatever the broker does, and measure each ack from the
//   *scheduled* send time, so a stall delays every send behind it and shows in the percentiles
//   (the coordinated-omission trap of closed-loop latency tests). A send that is due while
//   `inflightMax` requests are unanswered waits; its lateness is part of its latency.
// Stamped frames are copied per send and carry the scheduled time in the first record (stamp.ts), so
// a consumer can measure produce-to-consume latency; unstamped frames are sent as they are (no copy).

import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import { createDefaultProduceRequest } from '../../../src/protocol/generated/produce-request.ts'
import { LatencyHistogram } from './histogram.ts'
import { decodeResponseFrame, encodeRequestFrame, type KafkaConnection } from './kafka-connection.ts'
import {
  buildPlainBatch,
  type StampedBatchShape,
  toWallClockMs,
  valuePositions,
  writeStamp,
} from './stamp.ts'

const produceVersion = 9
const produceTimeoutMs = 30_000
/** Below this gap to the next scheduled send, the open loop yields with setImmediate instead of a timer. */
const spinBelowMs = 1.5

export interface ProduceFrames {
  frames: Buffer[]
  /** Where the batch starts in each frame. */
  batchPositions: number[]
  /** Where the stamp slots (the first record's value, or every record's) are in each frame. */
  stampPositions: number[][]
  recordsPerBatch: number
  batchBytes: number
}

/** One Produce frame per partition, each holding one batch of the given shape. */
export async function buildProduceFrames(
  topic: string,
  partitions: readonly number[],
  shape: StampedBatchShape,
  acks: -1 | 0 | 1,
  stampScope: 'first' | 'all' = 'first',
): Promise<ProduceFrames> {
  const batch = await buildPlainBatch(shape)
  const result: ProduceFrames = {
    frames: [],
    batchPositions: [],
    stampPositions: [],
    recordsPerBatch: shape.recordsPerBatch,
    batchBytes: batch.length,
  }
  for (const partition of partitions) {
    const frame = encodeRequestFrame(ApiKey.Produce, produceVersion, {
      ...createDefaultProduceRequest(),
      acks,
      timeoutMs: produceTimeoutMs,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    })
    const batchPosition = frame.indexOf(batch)
    if (batchPosition < 0) throw new Error('the encoded Produce frame does not hold the batch verbatim')
    result.frames.push(frame)
    result.batchPositions.push(batchPosition)
    result.stampPositions.push(valuePositions(frame, batchPosition, stampScope))
  }
  return result
}

/** The frame for send number `sequence`, stamped with `scheduledMs` (performance.now()) when asked. */
function frameFor(frames: ProduceFrames, sequence: number, scheduledMs: number | null): Buffer {
  const index = sequence % frames.frames.length
  const frame = frames.frames[index]
  if (scheduledMs === null) return frame
  const copy = Buffer.from(frame)
  writeStamp(copy, frames.batchPositions[index], frames.stampPositions[index], toWallClockMs(scheduledMs))
  return copy
}

/** Sends one frame and resolves with the partition error code (NONE on success). */
async function sendProduce(connection: KafkaConnection, frame: Buffer, acks: number): Promise<number> {
  const response = await connection.send(frame)
  if (acks === 0) return ErrorCode.NONE
  const decoded = decodeResponseFrame(ApiKey.Produce, produceVersion, response)
  return decoded.responses[0]?.partitionResponses[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
}

export interface ClosedLoopOptions {
  connections: readonly KafkaConnection[]
  frames: ProduceFrames
  acks: -1 | 1
  inflightPerConnection: number
  /** Stop sending after this long (performance.now() ms). */
  durationMs: number
  /** Stop sending after this many batches in all (a byte budget for fills). */
  batchesMax?: number
  /** Copy and stamp each frame (the per-send work of the open loop), for a like-for-like maximum. */
  stamped?: boolean
}

export interface ClosedLoopResult {
  batches: number
  records: number
  bytes: number
  seconds: number
  errors: Map<number, number>
}

/** As fast as acks come back: `inflightPerConnection` requests outstanding on every connection. */
export async function produceClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const started = performance.now()
  const deadline = started + options.durationMs
  const batchesMax = options.batchesMax ?? Number.POSITIVE_INFINITY
  const errors = new Map<number, number>()
  let sent = 0
  let acked = 0
  const lane = async (connection: KafkaConnection): Promise<void> => {
    while (performance.now() < deadline && sent < batchesMax) {
      const sequence = sent++
      const frame = frameFor(options.frames, sequence, options.stamped === true ? performance.now() : null)
      const errorCode = await sendProduce(connection, frame, options.acks)
      if (errorCode === ErrorCode.NONE) acked++
      else errors.set(errorCode, (errors.get(errorCode) ?? 0) + 1)
    }
  }
  const lanes: Promise<void>[] = []
  for (const connection of options.connections) {
    for (let slot = 0; slot < options.inflightPerConnection; slot++) lanes.push(lane(connection))
  }
  await Promise.all(lanes)
  const seconds = (performance.now() - started) / 1000
  return {
    batches: acked,
    records: acked * options.frames.recordsPerBatch,
    bytes: acked * options.frames.batchBytes,
    seconds,
    errors,
  }
}

export interface OpenLoopOptions {
  connection: KafkaConnection
  frames: ProduceFrames
  acks: -1 | 1
  batchesPerSecond: number
  durationMs: number
  /** Requests unanswered before sends wait (a producer's buffer is bounded too). */
  inflightMax: number
  /** How long acks may still arrive after the last scheduled send. */
  drainMs: number
}

export interface OpenLoopResult {
  /** Ack latency from the scheduled send time. */
  ackLatency: LatencyHistogram
  /** How late sends left compared with their schedule (the client's own share). */
  sendLag: LatencyHistogram
  scheduled: number
  acked: number
  /** Scheduled but never sent, or sent and not answered, within the drain time. */
  lost: number
  errors: Map<number, number>
  /** Batches per second that were acked over the schedule's duration. */
  ackedPerSecond: number
}

/** Sends on a fixed schedule (open loop) for `durationMs`; see the file header. */
export async function produceOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const intervalMs = 1000 / options.batchesPerSecond
  const scheduled = Math.max(1, Math.floor(options.durationMs / intervalMs))
  const result: OpenLoopResult = {
    ackLatency: new LatencyHistogram(),
    sendLag: new LatencyHistogram(),
    scheduled,
    acked: 0,
    lost: 0,
    errors: new Map(),
    ackedPerSecond: 0,
  }
  const start = performance.now() + 5
  const pending = new Set<Promise<void>>()
  const send = (sequence: number, scheduledMs: number): void => {
    result.sendLag.recordMs(performance.now() - scheduledMs)
    const done = sendProduce(
      options.connection,
      frameFor(options.frames, sequence, scheduledMs),
      options.acks,
    )
      .then((errorCode) => {
        if (errorCode !== ErrorCode.NONE)
          result.errors.set(errorCode, (result.errors.get(errorCode) ?? 0) + 1)
        else {
          result.acked++
          result.ackLatency.recordMs(performance.now() - scheduledMs)
        }
      })
      .catch(() => {
        result.lost++
      })
      .finally(() => pending.delete(done))
    pending.add(done)
  }
  let next = 0
  const scheduleEnd = start + scheduled * intervalMs
  const giveUpAt = scheduleEnd + options.drainMs
  while (next < scheduled && performance.now() < giveUpAt) {
    const now = performance.now()
    while (next < scheduled && start + next * intervalMs <= now && pending.size < options.inflightMax) {
      send(next, start + next * intervalMs)
      next++
    }
    const gapMs = start + next * intervalMs - performance.now()
    if (gapMs >= spinBelowMs && pending.size < options.inflightMax) await sleep(gapMs - 1)
    else await yieldToIo()
  }
  result.lost += scheduled - next
  await settleWithin([...pending], Math.max(0, giveUpAt - performance.now()))
  result.lost += pending.size
  result.ackedPerSecond = result.acked / ((scheduleEnd - start) / 1000)
  return result
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Waits for `promises` (which never reject) or `ms`, whichever comes first. */
async function settleWithin(promises: Promise<void>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}
