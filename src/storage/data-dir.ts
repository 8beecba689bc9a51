// Files at the root of a data dir:
// - `meta.properties`: `version=1` and `cluster.id=<22 chars>`, created once (Kafka's file and keys);
// - `.clean-shutdown`: written last by a clean close, removed right after opening;
// - `recovery-point-offset-checkpoint`: `topic partition offset` per partition (Kafka's format);
// - `topics/<name>.json`: one file per topic (topic-store.ts).

import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseOffsetField, readCheckpointFile, writeCheckpointFile } from './checkpoint-file.ts'
import { unlinkIfExists, writeFileAtomic } from './file-io.ts'

export const metaPropertiesFile = 'meta.properties'
export const cleanShutdownFile = '.clean-shutdown'
export const recoveryPointCheckpointFile = 'recovery-point-offset-checkpoint'

/** A Kafka-style cluster id: a random UUID as 22 characters of base64url. */
export function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
}

/** Reads the cluster id of the data dir, creating `meta.properties` on first use. */
export async function loadOrCreateClusterId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, metaPropertiesFile)
  try {
    const text = await readFile(file, 'utf8')
    const match = /^cluster\.id=(.+)$/m.exec(text)
    if (match !== null) return match[1].trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const clusterId = newClusterId()
  await writeFileAtomic(file, `version=1\ncluster.id=${clusterId}\n`)
  return clusterId
}

/** True when the last close was clean (the marker exists; the log manager removes it once open). */
export async function hasCleanShutdownMarker(dataDir: string): Promise<boolean> {
  const file = path.join(dataDir, cleanShutdownFile)
  try {
    await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  return true
}

export async function removeCleanShutdownMarker(dataDir: string): Promise<void> {
  await unlinkIfExists(path.join(dataDir, cleanShutdownFile))
}

export async function writeCleanShutdownMarker(dataDir: string): Promise<void> {
  await writeFileAtomic(path.join(dataDir, cleanShutdownFile), '')
}

/** `topic-partition` → recovery point. Missing or malformed file: empty map (full recovery). */
export async function readRecoveryPoints(dataDir: string): Promise<Map<string, number>> {
  const entries = await readCheckpointFile(path.join(dataDir, recoveryPointCheckpointFile), 3)
  const points = new Map<string, number>()
  for (const [topic, partition, offset] of entries ?? []) {
    const value = parseOffsetField(offset)
    if (value !== null) points.set(`${topic}-${partition}`, value)
  }
  return points
}

export async function writeRecoveryPoints(
  dataDir: string,
  points: readonly { topic: string; partition: number; offset: number }[],
): Promise<void> {
  const entries = points.map((point) => [point.topic, point.partition, point.offset])
  await writeCheckpointFile(path.join(dataDir, recoveryPointCheckpointFile), entries)
}
