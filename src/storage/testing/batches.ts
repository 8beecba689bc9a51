// Test helpers (not used by the engine): build produce-like batches and read back what a log returns,
// using the records library of protocol/records, plus a controllable clock and temporary data dirs.

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildBatch, decodeBatches } from '../../protocol/records/batch-v2.ts'
import type { CompressionCodec } from '../../protocol/records/compression/codec-id.ts'
import type { Clock } from '../types.ts'

export interface TestRecord {
  key?: string | null
  value: string | null
  timestamp?: number
}

/** One batch (base offset 0, as a producer sends it) of `records`. */
export function makeBatch(
  records: TestRecord[],
  options: { compression?: CompressionCodec } = {},
): Promise<Buffer> {
  return buildBatch({
    compression: options.compression,
    records: records.map((record) => ({
      timestamp: record.timestamp ?? 1_000,
      key: record.key === undefined || record.key === null ? null : Buffer.from(record.key),
      value: record.value === null ? null : Buffer.from(record.value),
    })),
  })
}

/** A batch of one record with `value`. */
export function valueBatch(value: string, timestamp = 1_000): Promise<Buffer> {
  return makeBatch([{ value, timestamp }])
}

export interface ReadRecord {
  offset: number
  key: string | null
  value: string | null
  timestamp: number
}

/** Every record of the batches in `buffer`. */
export async function decodeRecordsOf(buffer: Buffer): Promise<ReadRecord[]> {
  const batches = await decodeBatches(buffer)
  return batches.flatMap((batch) =>
    batch.records.map((record) => ({
      offset: record.offset,
      key: record.key === null ? null : record.key.toString(),
      value: record.value === null ? null : record.value.toString(),
      timestamp: record.timestamp,
    })),
  )
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public nowMs = 1_000_000) {}
  now(): number {
    return this.nowMs
  }
  advance(milliseconds: number): void {
    this.nowMs += milliseconds
  }
}

/** A fresh directory under the OS temp dir, and a function removing it. */
export async function temporaryDirectory(
  prefix = 'streamline-storage-',
): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), prefix))
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) }
}

/** A pino-compatible logger that drops everything, and remembers warnings and errors for assertions. */
export function quietLogger(): {
  info: () => void
  warn: (object: object, message: string) => void
  error: (object: object, message: string) => void
  messages: string[]
} {
  const messages: string[] = []
  return {
    info: () => {},
    warn: (_object, message) => messages.push(message),
    error: (_object, message) => messages.push(message),
    messages,
  }
}
