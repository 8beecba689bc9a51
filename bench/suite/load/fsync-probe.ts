// What one durable write costs on a filesystem: append 1 MiB to a file and time the fdatasync that
// follows, `samples` times. acks=all latency rests on this number (the broker answers after the data
// is synced, one fdatasync shared by every request of a group commit), so the suite states it beside
// the acks=all figures.
import { randomFillSync } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { LatencyHistogram } from './histogram.ts'

const writeBytes = 1024 * 1024

export interface FsyncProbeResult {
  /** fdatasync alone, after each 1 MiB write. */
  fdatasync: LatencyHistogram
  /** write + fdatasync. */
  writeAndSync: LatencyHistogram
}

export async function probeFsync(directory: string, samples: number): Promise<FsyncProbeResult> {
  const path = join(directory, `fsync-probe-${process.pid}.bin`)
  const result: FsyncProbeResult = { fdatasync: new LatencyHistogram(), writeAndSync: new LatencyHistogram() }
  const data = randomFillSync(Buffer.alloc(writeBytes))
  const file = await open(path, 'w')
  try {
    for (let sample = 0; sample < samples; sample++) {
      const started = performance.now()
      await file.write(data, 0, data.length, sample * writeBytes)
      const written = performance.now()
      await file.datasync()
      const synced = performance.now()
      result.fdatasync.recordMs(synced - written)
      result.writeAndSync.recordMs(synced - started)
    }
  } finally {
    await file.close()
    await rm(path, { force: true })
  }
  return result
}

/**
 * fdatasync after a `writeBytes` append every `intervalMs` until `done` settles: what a durable write
 * costs on the disk *while* a phase runs (beside the broker's own durable-append times, it tells a
 * slow disk from a broker that waits). Spaced, so the probe adds little disk load of its own.
 */
export async function probeFsyncDuring(
  directory: string,
  options: { writeBytes: number; intervalMs: number },
  done: Promise<unknown>,
): Promise<LatencyHistogram> {
  const { writeBytes, intervalMs } = options
  const path = join(directory, `fsync-during-${process.pid}.bin`)
  const fdatasync = new LatencyHistogram()
  const data = randomFillSync(Buffer.alloc(writeBytes))
  let finished = false
  const stop = (): void => {
    finished = true
  }
  done.then(stop, stop)
  const file = await open(path, 'w')
  try {
    for (let position = 0; !finished; position += writeBytes) {
      await file.write(data, 0, data.length, position)
      const written = performance.now()
      await file.datasync()
      fdatasync.recordMs(performance.now() - written)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  } finally {
    await file.close()
    await rm(path, { force: true })
  }
  return fdatasync
}
