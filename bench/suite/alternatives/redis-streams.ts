// Redis Streams load with ioredis: XADD pipelined (many commands per round trip, several pipelines in
// flight: Redis's way to batch, the counterpart of a Kafka producer's batches and in-flight requests),
// and a catch-up read with XRANGE in pages of 1,000 entries (what a stream consumer does to replay).
// Every entry has one field `v` holding the record value.
import { Redis } from 'ioredis'

const pipelineCommands = 1000
const pipelinesInFlight = 4
const readPageEntries = 1000

export interface AlternativeRun {
  records: number
  /** Record value bytes moved. */
  bytes: number
  seconds: number
  /** CPU seconds this (client) process used during the run. */
  clientCpuSeconds: number
}

function cpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

async function connectRedis(port: number): Promise<Redis> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  })
  await redis.connect()
  return redis
}

/** XADD `recordBytes`-byte values to `key` in pipelines for `durationMs` (or `recordsMax`). */
export async function redisXadd(
  port: number,
  key: string,
  options: { recordBytes: number; durationMs: number; recordsMax: number },
): Promise<AlternativeRun> {
  const redis = await connectRedis(port)
  const value = Buffer.alloc(options.recordBytes, 0x61)
  let records = 0
  let sent = 0
  const cpuBefore = cpuSeconds()
  const started = performance.now()
  const deadline = started + options.durationMs
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline && sent < options.recordsMax) {
      sent += pipelineCommands
      const pipeline = redis.pipeline()
      for (let index = 0; index < pipelineCommands; index++) pipeline.xadd(key, '*', 'v', value)
      const results = (await pipeline.exec()) ?? []
      const failed = results.find(([error]) => error !== null)
      if (failed !== undefined) throw new Error(`XADD failed: ${String(failed[0])}`)
      records += results.length
    }
  }
  try {
    await Promise.all(Array.from({ length: pipelinesInFlight }, lane))
  } finally {
    redis.disconnect()
  }
  return {
    records,
    bytes: records * options.recordBytes,
    seconds: (performance.now() - started) / 1000,
    clientCpuSeconds: cpuSeconds() - cpuBefore,
  }
}

/** Reads `key` from the start with XRANGE pages until `records` entries or `durationMs`. */
export async function redisXrange(
  port: number,
  key: string,
  options: { records: number; durationMs: number },
): Promise<AlternativeRun> {
  const redis = await connectRedis(port)
  let records = 0
  let bytes = 0
  let start = '-'
  const cpuBefore = cpuSeconds()
  const started = performance.now()
  try {
    while (records < options.records && performance.now() - started < options.durationMs) {
      const page = await redis.xrangeBuffer(key, start, '+', 'COUNT', readPageEntries)
      if (page.length === 0) break
      for (const [, fields] of page) bytes += fields[1]?.length ?? 0
      records += page.length
      start = `(${page[page.length - 1][0].toString('latin1')}` // exclusive start (Redis 6.2+)
    }
  } finally {
    redis.disconnect()
  }
  return {
    records,
    bytes,
    seconds: (performance.now() - started) / 1000,
    clientCpuSeconds: cpuSeconds() - cpuBefore,
  }
}
