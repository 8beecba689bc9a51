// The file operations of the disk engine, behind one small interface so tests can inject faults
// (a full disk, a failing fsync) without mocking the engine itself. Every failure becomes a
// StorageError carrying the errno error as its cause (→ KAFKA_STORAGE_ERROR for that partition).

import { constants } from 'node:fs'
import { type FileHandle, mkdir, open, rename, rm, unlink } from 'node:fs/promises'
import path from 'node:path'
import { StorageError } from '../errors.ts'

/** Writes and syncs on segment and index files: the operations that fail when a disk fills or breaks. */
export interface WriteIo {
  /** Writes all of `buffers` at `position`; a short write is an error. */
  writev(handle: FileHandle, buffers: Buffer[], position: number): Promise<void>
  datasync(handle: FileHandle): Promise<void>
}

export const nodeWriteIo: WriteIo = {
  async writev(handle, buffers, position) {
    let expected = 0
    for (const buffer of buffers) expected += buffer.length
    const { bytesWritten } =
      buffers.length === 1
        ? await handle.write(buffers[0], 0, expected, position)
        : await handle.writev(buffers, position)
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
