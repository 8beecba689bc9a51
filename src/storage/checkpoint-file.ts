// Kafka's checkpoint file format, used for the recovery points of a data dir
// (`recovery-point-offset-checkpoint`), a partition's log start offset (`log-start-offset-checkpoint`)
// and leader epochs (`leader-epoch-checkpoint`):
//
//   0            <- version
//   2            <- number of entries
//   orders 0 42  <- one entry per line, fields separated by spaces
//
// Written atomically (temporary file, fsync, rename, fsync of the directory). A file that does not
// parse is reported as missing (null): callers then fall back to the safe choice (full recovery).

import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from './file-io.ts'

const checkpointVersion = 0

export async function writeCheckpointFile(
  file: string,
  entries: readonly (readonly (string | number)[])[],
): Promise<void> {
  const lines = [
    String(checkpointVersion),
    String(entries.length),
    ...entries.map((entry) => entry.join(' ')),
  ]
  await writeFileAtomic(file, `${lines.join('\n')}\n`)
}

/** The entries of a checkpoint file as arrays of fields, or null when missing or malformed. */
export async function readCheckpointFile(file: string, fieldsPerEntry: number): Promise<string[][] | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const lines = text.split('\n').filter((line) => line.length > 0)
  if (lines.length < 2 || lines[0] !== String(checkpointVersion)) return null
  const count = Number(lines[1])
  if (!Number.isInteger(count) || count !== lines.length - 2) return null
  const entries = lines.slice(2).map((line) => line.split(' '))
  return entries.every((entry) => entry.length === fieldsPerEntry) ? entries : null
}

/** Parses a non-negative safe integer field of a checkpoint entry, or null. */
export function parseOffsetField(text: string): number | null {
  if (!/^\d+$/.test(text)) return null
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : null
}
