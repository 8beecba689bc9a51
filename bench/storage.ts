// Storage benchmark: append throughput (1 KiB, 64 KiB, 1 MiB batches; with and without durable acks),
// group commit with 16 concurrent durable writers, read throughput, the raw `fs` write throughput of the
// same machine in the same run as the baseline, and the time to open a data dir of 1,000 partitions
// after a clean shutdown.
// Run: node --import tsx bench/storage.ts   (writes under os.tmpdir(), removes it; ~1 minute)
// Each case runs for a fixed time budget (or a byte cap), so the run is bounded on any machine.

import { execFileSync } from 'node:child_process'
import { open } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildBatch } from '../src/protocol/records/batch-v2.ts'
import { type DiskLogManager, openLogManager } from '../src/storage/log-manager.ts'
import { quietLogger, temporaryDirectory } from '../src/storage/testing/batches.ts'
import type { PartitionLog } from '../src/storage/types.ts'

const caseBudgetMs = 2_000
/** Caps the dirty pages one case leaves (the kernel throttles writers past its dirty limit). */
const caseBytesMax = 256 * 1024 * 1024
const sizes = [1024, 64 * 1024, 1024 * 1024] as const

interface Measure {
  bytes: number
  elapsedMs: number
}

const megabytesPerSecond = (measure: Measure): number =>
  measure.bytes / 1024 / 1024 / (measure.elapsedMs / 1000)
const label = (size: number): string =>
  size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : `${size / 1024} KiB`

async function batchOf(totalBytes: number): Promise<Buffer> {
  // One record whose value fills the batch up to about `totalBytes` (header + record overhead ≈ 75 B).
  return buildBatch({
    records: [{ timestamp: Date.now(), value: Buffer.alloc(Math.max(1, totalBytes - 80), 0x61) }],
  })
}

/** Writes back all dirty pages (sync(1)) so each case starts on a quiet disk. */
function settle(): void {
  execFileSync('sync')
}

/** Runs `writers` loops, each awaiting `step` before the next, until the budget or byte cap. */
async function timed(writers: number, step: (writer: number) => Promise<number>): Promise<Measure> {
  settle()
  const started = performance.now()
  let bytes = 0
  const loop = async (writer: number): Promise<void> => {
    while (performance.now() - started < caseBudgetMs && bytes < caseBytesMax) {
      // Not `bytes += await step()`: that reads `bytes` before the await and loses concurrent updates.
      const written = await step(writer)
      bytes += written
    }
  }
  await Promise.all(Array.from({ length: writers }, (_, writer) => loop(writer)))
  return { bytes, elapsedMs: performance.now() - started }
}

async function rawWrite(directory: string, size: number, options: { sync: boolean }): Promise<Measure> {
  const handle = await open(path.join(directory, `raw-${size}-${options.sync}.bin`), 'w')
  const buffer = Buffer.alloc(size, 0x61)
  let position = 0
  const measure = await timed(1, async () => {
    await handle.write(buffer, 0, size, position)
    if (options.sync) await handle.datasync()
    position += size
    return size
  })
  await handle.close()
  return measure
}

async function appendRun(
  log: PartitionLog,
  size: number,
  writers: number,
  durable: boolean,
): Promise<Measure> {
  // One buffer per writer: an append stamps its offset into the buffer, so in-flight appends must not share one.
  const buffers = await Promise.all(Array.from({ length: writers }, () => batchOf(size)))
  return timed(writers, async (writer) => {
    await log.append(buffers[writer], { durable })
    return buffers[writer].length
  })
}

async function readRun(log: PartitionLog): Promise<Measure> {
  settle()
  const started = performance.now()
  let bytes = 0
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1024 * 1024)
    bytes += records.length
    let position = 0
    let lastOffset = offset
    while (position < records.length) {
      lastOffset = Number(records.readBigInt64BE(position)) + records.readInt32BE(position + 23)
      position += 12 + records.readInt32BE(position + 8)
    }
    offset = lastOffset + 1
  }
  return { bytes, elapsedMs: performance.now() - started }
}

async function openManager(dataDir: string): Promise<DiskLogManager> {
  return openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })
}

async function thousandPartitions(dataDir: string): Promise<number> {
  const manager = await openManager(dataDir)
  const batch = await batchOf(1024)
  for (let topic = 0; topic < 100; topic += 1) {
    await manager.createTopic(`open-${topic}`, { partitionCount: 10 })
    for (let partition = 0; partition < 10; partition += 1) {
      await manager.partition(`open-${topic}`, partition)!.append(Buffer.from(batch), { durable: false })
    }
  }
  await manager.close()
  const started = performance.now()
  const reopened = await openManager(dataDir)
  const elapsedMs = performance.now() - started
  await reopened.close()
  return elapsedMs
}

async function main(): Promise<void> {
  const { directory, remove } = await temporaryDirectory('streamline-bench-')
  const lines: string[] = []
  const report = (line: string): void => {
    lines.push(line)
    process.stdout.write(`${line}\n`)
  }
  try {
    report(
      `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()}`,
    )
    report(`date ${new Date().toISOString()}, data under ${os.tmpdir()}, ${caseBudgetMs} ms per case`)
    report(
      '| batch | raw fs write | append, 1 in flight | append, 4 in flight | best append/raw | raw write+fdatasync | durable, 1 writer | durable, 16 writers | durable16/append | read |',
    )
    report('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    const manager = await openManager(path.join(directory, 'data'))
    for (const size of sizes) {
      const raw = megabytesPerSecond(await rawWrite(directory, size, { sync: false }))
      const rawSync = megabytesPerSecond(await rawWrite(directory, size, { sync: true }))
      const name = `bench-${size}`
      await manager.createTopic(name, { partitionCount: 4 })
      const plain1 = megabytesPerSecond(await appendRun(manager.partition(name, 3)!, size, 1, false))
      const plain = megabytesPerSecond(await appendRun(manager.partition(name, 0)!, size, 4, false))
      const best = Math.max(plain1, plain)
      const durable = megabytesPerSecond(await appendRun(manager.partition(name, 1)!, size, 1, true))
      const durable16 = megabytesPerSecond(await appendRun(manager.partition(name, 2)!, size, 16, true))
      const read = megabytesPerSecond(await readRun(manager.partition(name, 0)!))
      const cells = [
        label(size),
        raw,
        plain1,
        plain,
        `${Math.round((best / raw) * 100)}%`,
        rawSync,
        durable,
        durable16,
      ]
      const formatted = cells.map((cell) => (typeof cell === 'number' ? `${cell.toFixed(1)} MB/s` : cell))
      report(
        `| ${formatted.join(' | ')} | ${Math.round((durable16 / best) * 100)}% | ${read.toFixed(1)} MB/s |`,
      )
      await manager.deleteTopic(name)
    }
    await manager.createTopic('fanout', { partitionCount: 16 })
    const buffers = await Promise.all(Array.from({ length: 16 }, () => batchOf(64 * 1024)))
    const spread = await timed(16, async (writer) => {
      await manager.partition('fanout', writer)!.append(buffers[writer], { durable: true })
      return buffers[writer].length
    })
    report(
      `16 durable writers on 16 partitions, 64 KiB batches: ${megabytesPerSecond(spread).toFixed(1)} MB/s`,
    )
    await manager.close()
    const openMs = await thousandPartitions(path.join(directory, 'open'))
    report(`open a data dir of 1,000 partitions after a clean shutdown: ${openMs.toFixed(0)} ms`)
  } finally {
    await remove()
  }
}

await main()
