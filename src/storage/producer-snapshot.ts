// Producer state snapshots: `<offset>.snapshot` files in the partition directory, each the state
// of every idempotent producer after the batches below `offset`. Written at segment roll and on
// close; on open the newest snapshot at or below the log end is loaded and the batch headers after
// it replayed, so a clean restart reads no data and a crash replays at most the active segment.

import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { unlinkIfExists, writeFileAtomic } from './file-io.ts'
import type { AbortedTransaction } from './partition-transactions.ts'
import type { ProducerEntry } from './producer-state.ts'

const snapshotSuffix = '.snapshot'
/** Older snapshots kept besides the newest (for a crash while writing the newest). */
const olderSnapshotsKept = 1

interface SnapshotFile {
  version: 1
  offset: number
  producers: { producerId: string; epoch: number; lastTimestampMs: number; batches: number[][] }[]
  /** [producer id, first offset] of open transactions. */
  ongoingTransactions?: [string, number][]
  /** [producer id, first offset, marker offset] of aborted transactions. */
  abortedTransactions?: [string, number, number][]
}

export interface SnapshotTransactions {
  ongoing: [bigint, number][]
  aborted: AbortedTransaction[]
}

export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${snapshotSuffix}`
}

async function snapshotOffsets(directory: string, listed?: readonly string[]): Promise<number[]> {
  const names = listed ?? (await readdir(directory))
  return names
    .filter((name) => /^\d{20}\.snapshot$/.test(name))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b)
}

export async function writeProducerSnapshot(
  directory: string,
  offset: number,
  entries: Iterable<ProducerEntry>,
): Promise<void> {
  const file: SnapshotFile = {
    version: 1,
    offset,
    producers: [...entries].map((entry) => ({
      producerId: entry.producerId.toString(),
      epoch: entry.epoch,
      lastTimestampMs: entry.lastTimestampMs,
      batches: entry.batches.map((batch) => [
        batch.firstSequence,
        batch.lastSequence,
        batch.firstOffset,
        batch.lastOffset,
      ]),
    })),
  }
  await writeFileAtomic(path.join(directory, snapshotFileName(offset)), JSON.stringify(file))
  const offsets = await snapshotOffsets(directory)
  for (const old of offsets.filter((value) => value < offset).slice(0, -olderSnapshotsKept || undefined)) {
    await unlinkIfExists(path.join(directory, snapshotFileName(old)))
  }
}

/** The newest readable snapshot at or below `logEndOffset`, or null. Newer ones (from before a
 * truncation) are deleted; an unreadable one is skipped in favour of the one before it. */
export async function readProducerSnapshot(
  directory: string,
  logEndOffset: number,
  /** The directory's names when the caller just listed it (saves a listing per partition at open). */
  listed?: readonly string[],
): Promise<{ offset: number; entries: ProducerEntry[]; transactions: SnapshotTransactions } | null> {
  const offsets = await snapshotOffsets(directory, listed)
  for (const offset of offsets.filter((value) => value > logEndOffset)) {
    await unlinkIfExists(path.join(directory, snapshotFileName(offset)))
  }
  for (const offset of offsets.filter((value) => value <= logEndOffset).reverse()) {
    try {
      const file = JSON.parse(
        await readFile(path.join(directory, snapshotFileName(offset)), 'utf8'),
      ) as SnapshotFile
      if (file.version !== 1 || file.offset !== offset) continue
      const entries = file.producers.map((producer) => ({
        producerId: BigInt(producer.producerId),
        epoch: producer.epoch,
        lastTimestampMs: producer.lastTimestampMs,
        batches: producer.batches.map(([firstSequence, lastSequence, firstOffset, lastOffset]) => ({
          firstSequence,
          lastSequence,
          firstOffset,
          lastOffset,
        })),
      }))
      const transactions: SnapshotTransactions = {
        ongoing: (file.ongoingTransactions ?? []).map(([producerId, firstOffset]) => [
          BigInt(producerId),
          firstOffset,
        ]),
        aborted: (file.abortedTransactions ?? []).map(([producerId, firstOffset, lastOffset]) => ({
          producerId: BigInt(producerId),
          firstOffset,
          lastOffset,
        })),
      }
      return { offset, entries, transactions }
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error
      // A torn snapshot (crash while writing without the atomic rename): use the previous one.
    }
  }
  return null
}
