// The file operations of the disk engine, behind one small interface so tests can inject faults
// (a full disk, a failing fsync) without mocking the engine itself. Every failure becomes a
// StorageError carrying the errno error as its cause (→ KAFKA_STORAGE_ERROR for that partition).

import { constants, writevSync } from 'node:fs'
import { type FileHandle, mkdir, open, rename, rm, unlink } from 'node:fs/promises'
import path from 'node:path'
import { StorageError } from '../errors.ts'

/** Writes and syncs on segment and index files: the operations that fail when a disk fills or breaks. */
export interface WriteIo {
  /** Writes all of `buffers` at `position`; a short write is an error. */
  writev(handle: FileHandle, buffers: Buffer[], position: number): Promise<void>
  datasync(handle: FileHandle): Promise<void>
}

// Small writes go straight to the page cache with a synchronous writev on the event loop: measured
// on our 2-core VM, a 16 KiB write costs ~6 µs that way against ~60 µs through the libuv thread pool
// (of which ~17 µs block the event loop anyway, handing the job over; on a loaded machine the
// hand-off costs far more: waking a pool thread can deschedule the event loop, and the answer needs
// the event loop woken again). Writes that are slow (the kernel throttling writers because too many
// pages are dirty) switch writes to the thread pool for a while, so a congested disk stalls the event
// loop for a write or two, not for every write. It takes two slow writes in a row: throttling slows
// every write, while a single slow one is usually the process being descheduled mid-write on a busy
// machine (issue 21: at load 20 on 2 cores, single slow writes kept the broker on the pool path,
// where each request paid two extra wake-ups; bench/RESULTS.md, Latency).
const syncWriteBytesMax = 256 * 1024
const slowSyncWriteMs = 2
const slowSyncWritesToSwitch = 2
const asyncWritesAfterSlowMs = 1_000
let syncWritesResumeAtMs = 0
let slowSyncWritesInARow = 0

/** writev on the event loop when it is small and the disk is keeping up; null when it should not be. */
function writeSyncIfCheap(
  handle: FileHandle,
  buffers: Buffer[],
  position: number,
  bytes: number,
): number | null {
  if (bytes > syncWriteBytesMax) return null
  const startedMs = performance.now()
  if (startedMs < syncWritesResumeAtMs) return null
  const written = writevSync(handle.fd, buffers, position)
  const finishedMs = performance.now()
  if (finishedMs - startedMs <= slowSyncWriteMs) slowSyncWritesInARow = 0
  else if (++slowSyncWritesInARow >= slowSyncWritesToSwitch) {
    slowSyncWritesInARow = 0
    syncWritesResumeAtMs = finishedMs + asyncWritesAfterSlowMs
  }
  return written
}

export const nodeWriteIo: WriteIo = {
  async writev(handle, buffers, position) {
    let expected = 0
    for (const buffer of buffers) expected += buffer.length
    const bytesWritten =
      writeSyncIfCheap(handle, buffers, position, expected) ??
      (buffers.length === 1
        ? await handle.write(buffers[0], 0, expected, position)
        : await handle.writev(buffers, position)
      ).bytesWritten
    if (bytesWritten !== expected) {
      // A short write to a regular file means the device is full (the next write would say ENOSPC).
      const error = Object.assign(new Error(`short write: ${bytesWritten} of ${expected} bytes`), {
        code: 'ENOSPC',
      })
      throw error
    }
  },
  async datasync(handle) {
    await handle.datasync()
  },
}

/** Runs `operation`; an exception becomes a StorageError naming `what`. */
export async function storageOperation<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (error instanceof StorageError) throw error
    throw new StorageError(`${what}: ${(error as Error).message}`, { cause: error })
  }
}

/** fsyncs a directory so entries created, renamed or removed in it survive a crash. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replaces `file` atomically with `contents`: write a temporary file, fsync, rename, fsync the dir. */
export async function writeFileAtomic(file: string, contents: string | Buffer): Promise<void> {
  const temporary = `${file}.tmp`
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(contents)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file)
  await syncDirectory(path.dirname(file))
}

/** Removes `file` if it exists. */
export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

export async function ensureDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true })
}

export async function removeTree(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true })
}
