// Sizes and disk hygiene shared by the workloads, so baselines and broker runs are bounded alike (a
// ratio between two measurements means little if one ran for 5 s and the other stopped at 64 MiB).
import { execFile } from 'node:child_process'
import type { BenchOptions } from './types.ts'

const mebibyte = 1024 * 1024
const gibibyte = 1024 * mebibyte
const settleTimeoutMs = 120_000

export const chunkBytes = mebibyte

/** The most bytes one timed phase moves (bounds the disk a case writes and the dirty pages it leaves). */
export function phaseBytesMax(options: BenchOptions): number {
  return options.quick ? 64 * mebibyte : 2 * gibibyte
}

export function megabytesPerSecond(bytes: number, elapsedMs: number): number {
  return bytes / mebibyte / (elapsedMs / 1000)
}

/**
 * `sync(1)`: writes back every dirty page so a phase does not pay for the previous one's writeback
 * (the kernel throttles writers past its dirty limit). Bounded; a slow disk only costs time.
 */
export function settleDisk(): Promise<void> {
  return new Promise((resolve) => {
    execFile('sync', [], { timeout: settleTimeoutMs }, () => resolve())
  })
}
