// A small JSON state file in the data dir (ACLs, SCRAM credential changes, client quotas): read once at
// start, rewritten whole and atomically on each change. Writes are serialized, and each serializes the
// state when its turn comes, so the file always ends up with the latest state. Without a data dir
// (in-memory mode) there is no file: reads find nothing and writes do nothing.

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from './file-io.ts'

/** Every state file carries a format version, checked on read. */
export interface VersionedState {
  version: number
}

export class JsonStateFile<T extends VersionedState> {
  readonly file: string | null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    dataDir: string | undefined,
    fileName: string,
    private readonly version: T['version'],
  ) {
    this.file = dataDir === undefined ? null : path.join(dataDir, fileName)
  }

  /** The stored state; null when there is no file yet (or no data dir). */
  async read(): Promise<T | null> {
    if (this.file === null) return null
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    const stored = JSON.parse(text) as T
    if (stored.version !== this.version)
      throw new Error(`${this.file}: unknown version ${String(stored.version)}`)
    return stored
  }

  /** Writes `state()` after the writes before it; resolves once it is on disk. */
  write(state: () => T): Promise<void> {
    const file = this.file
    if (file === null) return Promise.resolve()
    const write = this.writing.then(() => writeFileAtomic(file, `${JSON.stringify(state(), null, 2)}\n`))
    this.writing = write.catch(() => {})
    return write
  }
}
