// Several log directories (Kafka's `log.dirs`): where each partition directory lives, where a new
// one goes, and how a replica moves between them (AlterReplicaLogDirs), as files on disk.
//
// A move, as Kafka does it, is marked on disk by a future directory in the destination,
// `<topic>-<partition>.<uuid>-future`, created before the request is answered. The copy then fills it
// (every file written and fsynced), and the swap is two renames: the source directory to
// `<topic>-<partition>.<uuid>-delete` (the commit point: from then on the complete copy is the
// partition), then the future directory to `<topic>-<partition>`. After a crash, `resolveMoves` reads
// that state back: a future directory beside a live source means the move had not committed (it is
// started again from scratch); a future directory with no live source anywhere means the crash came
// between the two renames (the copy is complete: it is renamed into place).

import { randomUUID } from 'node:crypto'
import { copyFile, open, readdir, rename } from 'node:fs/promises'
import path from 'node:path'
import { ensureDirectory, removeTree, syncDirectory } from './file-io.ts'

const partitionDirectoryPattern = /^(.+)-(\d+)$/
const futureDirectoryPattern = /^(.+)-(\d+)\.[0-9a-f]{32}-future$/

export interface FutureDirectory {
  topic: string
  partition: number
  /** The log dir the replica was moving to. */
  logDir: string
  directory: string
}

export interface LogDirScan {
  /** `<topic>-<partition>` → the log dirs holding a directory of that name (normally one). */
  live: Map<string, string[]>
  futures: FutureDirectory[]
}

export const partitionKey = (topic: string, partition: number): string => `${topic}-${partition}`

/** Reads every log dir: the partition directories in each and the moves in progress. */
export async function scanLogDirs(logDirs: readonly string[]): Promise<LogDirScan> {
  const live = new Map<string, string[]>()
  const futures: FutureDirectory[] = []
  for (const logDir of logDirs) {
    for (const entry of await readdir(logDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const future = futureDirectoryPattern.exec(entry.name)
      if (future !== null) {
        futures.push({
          topic: future[1],
          partition: Number(future[2]),
          logDir,
          directory: path.join(logDir, entry.name),
        })
        continue
      }
      if (partitionDirectoryPattern.test(entry.name)) {
        const holders = live.get(entry.name) ?? []
        holders.push(logDir)
        live.set(entry.name, holders)
      }
    }
  }
  return { live, futures }
}

/** The log dir with the fewest partitions (Kafka's LogManager.nextLogDirs), first listed on a tie. */
export function leastLoadedLogDir(logDirs: readonly string[], counts: Map<string, number>): string {
  let chosen = logDirs[0]
  for (const logDir of logDirs) {
    if ((counts.get(logDir) ?? 0) < (counts.get(chosen) ?? 0)) chosen = logDir
  }
  return chosen
}

/** Creates the destination's future directory: the durable mark of a move, made before the answer. */
export async function createFutureDirectory(
  logDir: string,
  topic: string,
  partition: number,
): Promise<string> {
  const directory = path.join(
    logDir,
    `${partitionKey(topic, partition)}.${randomUUID().replaceAll('-', '')}-future`,
  )
  await ensureDirectory(directory)
  await syncDirectory(logDir)
  return directory
}

/** Copies every file of a (closed) partition directory into `target`, each fsynced, then the directory. */
export async function copyPartitionFiles(source: string, target: string): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    const copied = path.join(target, entry.name)
    await copyFile(path.join(source, entry.name), copied)
    const handle = await open(copied, 'r+')
    try {
      await handle.datasync()
    } finally {
      await handle.close()
    }
  }
  await syncDirectory(target)
}

/**
 * The swap after a complete copy: the source goes to a `-delete` name (the commit point), the future
 * directory takes the partition's name. Returns the `-delete` directory, for background removal.
 */
export async function swapInFuture(options: {
  source: string
  future: string
  logDir: string
  key: string
}): Promise<string> {
  const sourceLogDir = path.dirname(options.source)
  const deleted = path.join(sourceLogDir, `${options.key}.${randomUUID().replaceAll('-', '')}-delete`)
  await rename(options.source, deleted)
  await syncDirectory(sourceLogDir)
  await rename(options.future, path.join(options.logDir, options.key))
  await syncDirectory(options.logDir)
  return deleted
}

/**
 * After a crash: completes the moves that had committed (no live source left: the future copy is
 * renamed into place) and returns the ones to start again (their stale future directories removed).
 * Futures of partitions that no longer exist are removed.
 */
export async function resolveMoves(
  scan: LogDirScan,
  exists: (topic: string, partition: number) => boolean,
): Promise<Array<{ topic: string; partition: number; logDir: string }>> {
  const restart: Array<{ topic: string; partition: number; logDir: string }> = []
  for (const future of scan.futures) {
    const key = partitionKey(future.topic, future.partition)
    if (!exists(future.topic, future.partition)) {
      await removeTree(future.directory)
      continue
    }
    if ((scan.live.get(key) ?? []).length > 0) {
      await removeTree(future.directory)
      restart.push({ topic: future.topic, partition: future.partition, logDir: future.logDir })
      continue
    }
    await rename(future.directory, path.join(future.logDir, key))
    await syncDirectory(future.logDir)
    scan.live.set(key, [future.logDir])
  }
  return restart
}
