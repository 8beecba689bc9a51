// The lean produce load generator: M connections, K requests in flight on each, every request
// pre-encoded (produce-requests.ts), so the hot loop only patches a correlation id, hands chunks to
// writev and reads a small response. It counts acknowledged batch bytes and records and keeps a latency
// histogram per run.
//
// Timing: a warm-up (not counted: JIT, segment files, page cache) and then a measured window of
// `durationMs`, cut short when `bytesMax` acknowledged bytes are reached (bounds the disk a case
// writes). A response, and its latency, count when it arrives inside the window (a slow request sent
// during the warm-up still shows in the percentiles). With `requestsPerSecond`, sends follow a fixed
// schedule (open loop) and latency runs from the scheduled time, so a stalled broker cannot hide its
// stall by slowing the sender.
import { ErrorCode, errorName } from '../../../src/protocol/generated/index.ts'
import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import { decodeResponseFrame, KafkaConnection } from './kafka-connection.ts'
import {
  buildLoadBatch,
  correlationIdOffset,
  encodeProduceRequests,
  type PreEncodedRequest,
  produceVersion,
  requestHeadBytes,
} from './produce-requests.ts'

/** Beyond the window, how long in-flight requests may take before the run gives up on them. */
const drainTimeoutMs = 60_000
const mebibyte = 1024 * 1024

export interface ProducerOptions {
  host: string
  port: number
  topic: string
  partitions: readonly number[]
  /** Value bytes per record. */
  recordBytes: number
  /** Upper bound on the batch size (Kafka's batch.size), 12-byte log overhead included; ≥ 4 KiB. */
  batchBytes: number
  acks: -1 | 0 | 1
  connections: number
  /** Requests in flight per connection (Kafka: max.in.flight.requests.per.connection). */
  inFlight: number
  durationMs: number
  /** Default: 20 % of durationMs, at most 1 s. */
  warmupMs?: number
  /** Stop the window once this many batch bytes were acknowledged. */
  bytesMax?: number
  /** Open loop: total sends per second over all connections. Unset: each slot sends on its last ack. */
  requestsPerSecond?: number
  /** Called on a slot's private copy of the batch right before it is sent (stamping send times). */
  stampBatch?: (batch: Buffer, scheduledMs: number) => void
  /** Broker-side produce timeout (timeout_ms). Default 30 s. */
  requestTimeoutMs?: number
}

export interface ProduceResult {
  /** Acknowledged record-batch bytes in the window. */
  bytes: number
  /** Acknowledged record-batch bytes over the whole run, warm-up and drain included (for CPU per byte). */
  bytesAll: number
  records: number
  requests: number
  elapsedMs: number
  mbPerSec: number
  recordsPerSec: number
  /** Request latency: send (or scheduled send) to response. Empty with acks=0. */
  latency: LatencySummary
  /** Partition-level error responses by error name (none expected). */
  errors: Record<string, number>
  batchBytes: number
  recordsPerBatch: number
  /**
   * CPU the load generator (this process) used per second of the run: near 1 means it was saturating
   * its core and the numbers may be its limit rather than the broker's.
   */
  clientCpuShare: number
}

interface Window {
  measureFromMs: number
  endAtMs: number
}

interface Totals {
  bytes: number
  bytesAll: number
  records: number
  requests: number
  errors: Map<number, number>
  histogram: LatencyHistogram
}

/** Sends a fixed schedule: the n-th send of the whole run is due at start + n / rate. */
class Pacer {
  #sent = 0
  constructor(
    private readonly startMs: number,
    private readonly intervalMs: number,
  ) {}
  next(): number {
    return this.startMs + this.#sent++ * this.intervalMs
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds))
}

function countErrors(frame: Buffer, totals: Totals): number {
  const response = decodeResponseFrame(0, produceVersion, frame)
  let failed = 0
  for (const topic of response.responses) {
    for (const partition of topic.partitionResponses) {
      if (partition.errorCode === ErrorCode.NONE) continue
      failed += 1
      totals.errors.set(partition.errorCode, (totals.errors.get(partition.errorCode) ?? 0) + 1)
    }
  }
  return failed
}

interface SlotContext {
  connection: KafkaConnection
  requests: readonly PreEncodedRequest[]
  options: ProducerOptions
  window: Window
  totals: Totals
  pacer: Pacer | null
  /** Per connection: which request goes next, and the correlation id counter. */
  cursor: { request: number; correlationId: number }
}

/** One in-flight slot: send, await the answer, count, repeat until the window closes. */
async function runSlot(context: SlotContext): Promise<void> {
  const { connection, requests, options, window, totals, pacer, cursor } = context
  const head = Buffer.alloc(requestHeadBytes)
  const ownBatches = new Map<number, Buffer>() // a private batch per request, only when stamping
  for (;;) {
    const scheduledMs = pacer === null ? performance.now() : pacer.next()
    if (scheduledMs >= window.endAtMs) return
    const waitMs = scheduledMs - performance.now()
    if (waitMs > 0.5) await sleep(waitMs)
    const request = requests[cursor.request]
    cursor.request = (cursor.request + 1) % requests.length
    const correlationId = cursor.correlationId++
    request.head.copy(head)
    head.writeInt32BE(correlationId, correlationIdOffset)
    const chunks = [head, ...request.rest]
    if (options.stampBatch !== undefined) {
      let own = ownBatches.get(request.partition)
      if (own === undefined) {
        own = Buffer.from(request.rest[request.batchChunk])
        ownBatches.set(request.partition, own)
      }
      options.stampBatch(own, scheduledMs)
      chunks[request.batchChunk + 1] = own
    }
    if (options.acks === 0) {
      await connection.sendWithoutResponse(chunks)
    } else {
      const frame = await connection.send(chunks)
      if (frame.readInt32BE(0) !== correlationId) {
        throw new Error(`response correlation id ${frame.readInt32BE(0)}, expected ${correlationId}`)
      }
      if (countErrors(frame, totals) > 0) continue
    }
    const doneMs = performance.now()
    totals.bytesAll += request.batchBytes
    if (doneMs < window.measureFromMs || doneMs > window.endAtMs) continue
    totals.bytes += request.batchBytes
    totals.records += request.records
    totals.requests += 1
    if (options.acks !== 0) totals.histogram.recordMs(doneMs - scheduledMs)
    if (options.bytesMax !== undefined && totals.bytes >= options.bytesMax) window.endAtMs = doneMs
  }
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Runs the load and returns what was acknowledged in the measured window. */
export async function runProducer(options: ProducerOptions): Promise<ProduceResult> {
  const batch = await buildLoadBatch(options.recordBytes, options.batchBytes)
  const requests = encodeProduceRequests({
    topic: options.topic,
    partitions: options.partitions,
    batch,
    acks: options.acks,
    timeoutMs: options.requestTimeoutMs ?? 30_000,
  })
  const connections = await Promise.all(
    Array.from({ length: options.connections }, () => KafkaConnection.open(options.host, options.port)),
  )
  const totals: Totals = {
    bytes: 0,
    bytesAll: 0,
    records: 0,
    requests: 0,
    errors: new Map(),
    histogram: new LatencyHistogram(),
  }
  const warmupMs = options.warmupMs ?? Math.min(1000, options.durationMs * 0.2)
  const startMs = performance.now()
  const cpuBefore = process.cpuUsage()
  const window: Window = {
    measureFromMs: startMs + warmupMs,
    endAtMs: startMs + warmupMs + options.durationMs,
  }
  const pacer =
    options.requestsPerSecond === undefined ? null : new Pacer(startMs, 1000 / options.requestsPerSecond)
  const slots: Promise<void>[] = []
  connections.forEach((connection, index) => {
    // Connections start at different partitions so they spread over the set from the first request.
    const cursor = { request: Math.floor((index * requests.length) / options.connections), correlationId: 1 }
    for (let slot = 0; slot < options.inFlight; slot++) {
      slots.push(runSlot({ connection, requests, options, window, totals, pacer, cursor }))
    }
  })
  try {
    await withDeadline(Promise.all(slots), warmupMs + options.durationMs + drainTimeoutMs, 'produce load')
  } finally {
    for (const connection of connections) connection.close()
  }
  const elapsedMs = Math.min(performance.now(), window.endAtMs) - window.measureFromMs
  const cpu = process.cpuUsage(cpuBefore)
  const clientCpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - startMs)
  return {
    bytes: totals.bytes,
    bytesAll: totals.bytesAll,
    records: totals.records,
    requests: totals.requests,
    elapsedMs,
    mbPerSec: totals.bytes / mebibyte / (elapsedMs / 1000),
    recordsPerSec: totals.records / (elapsedMs / 1000),
    latency: totals.histogram.summary(),
    errors: Object.fromEntries([...totals.errors].map(([code, count]) => [errorName(code), count])),
    batchBytes: batch.batch.length,
    recordsPerBatch: batch.records,
    clientCpuShare,
  }
}
