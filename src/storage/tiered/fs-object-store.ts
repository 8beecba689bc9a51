// The object store as a directory: one file per key. For tests and single-machine use (a second disk,
// an NFS mount). A put writes `<key>.<random>.partial`, checks its MD5, fsyncs and renames it into
// place, so a reader (or a crash) never sees half an object.

import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import {
  type ByteRange,
  type ObjectBody,
  type ObjectStore,
  RemoteObjectMissingError,
  RemoteStorageError,
  type StoredObject,
} from './object-store.ts'

const partialSuffix = '.partial'

export class FileSystemObjectStore implements ObjectStore {
  readonly description: string

  constructor(private readonly root: string) {
    this.description = `file://${path.resolve(root)}`
  }

  private fileOf(key: string): string {
    const file = path.resolve(this.root, key)
    if (!file.startsWith(path.resolve(this.root) + path.sep)) throw new RemoteStorageError(`bad key ${key}`)
    return file
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const file = this.fileOf(key)
    const partial = `${file}.${randomUUID()}${partialSuffix}`
    try {
      await mkdir(path.dirname(file), { recursive: true })
      const hash = createHash('md5')
      const source = body.open()
      source.on('data', (chunk: Buffer) => hash.update(chunk))
      await pipeline(source, createWriteStream(partial))
      const written = hash.digest('base64')
      if (written !== body.md5Base64) {
        throw new RemoteStorageError(`put ${key}: MD5 ${written} differs from ${body.md5Base64} (BadDigest)`)
      }
      const handle = await open(partial, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(partial, file)
    } catch (error) {
      await rm(partial, { force: true })
      if (error instanceof RemoteStorageError) throw error
      throw new RemoteStorageError(`put ${key} in ${this.description} failed`, { cause: error })
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    let handle: Awaited<ReturnType<typeof open>>
    try {
      handle = await open(this.fileOf(key), 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RemoteObjectMissingError(`object ${key} does not exist in ${this.description}`)
      }
      throw new RemoteStorageError(`get ${key} failed`, { cause: error })
    }
    try {
      const { size } = await handle.stat()
      const start = Math.min(range?.start ?? 0, size)
      const end = Math.min(range?.endExclusive ?? size, size)
      const buffer = Buffer.alloc(Math.max(0, end - start))
      let filled = 0
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return buffer.subarray(0, filled)
    } catch (error) {
      throw new RemoteStorageError(`get ${key} failed`, { cause: error })
    } finally {
      await handle.close()
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = []
    const walk = async (directory: string, keyPrefix: string): Promise<void> => {
      let entries: import('node:fs').Dirent[]
      try {
        entries = await readdir(directory, { withFileTypes: true })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
        throw new RemoteStorageError(`list ${prefix} failed`, { cause: error })
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`))
            await walk(path.join(directory, entry.name), `${key}/`)
        } else if (!entry.name.endsWith(partialSuffix) && key.startsWith(prefix)) {
          found.push({ key, sizeBytes: (await stat(path.join(directory, entry.name))).size })
        }
      }
    }
    await walk(path.resolve(this.root), '')
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await unlink(this.fileOf(key))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new RemoteStorageError(`delete ${key} failed`, { cause: error })
        }
      }
    }
  }

  close(): void {}
}
