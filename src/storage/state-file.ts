// A small JSON state file in the data dir (ACLs, SCRAM credential changes, client quotas): read once at
// start, rewritten whole and atomically on each change. Writes are serialized, and each serializes the
// state when its turn comes, so the file always ends up with the latest state. Without a data dir
// (in-memory mode) there is no file: reads find nothing and writes do nothing.
//
// StateDocument is what the stores (ACLs, SCRAM credentials, client quotas, dynamic broker configs)
// need from their storage; JsonStateFile is the single-process one, and cluster mode gives them
// documents in PostgreSQL shared by every broker (cluster/shared-state.ts).

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from './file-io.ts'

/** Every state file carries a format version, checked on read. */
export interface VersionedState {
  version: number
}

/** A store's persisted state, written whole. */
export interface StateDocument<T extends VersionedState> {
  /** The stored state; null when there is none yet. */
  read(): Promise<T | null>
  /** Writes `state()` after the writes before it; resolves once it is durable. */
  write(state: () => T): Promise<void>
  /**
   * A read-modify-write: `change` runs when this write's turn comes, with the stored state when
   * someone else (another broker) changed it since this process last read or wrote it, else null
   * (the store's memory is current). The store adopts `latest`, applies its change in memory and
   * returns the whole new state, which is written before the promise resolves. When the write
   * fails the store's memory may be ahead of what is stored; the next read by the sync fixes that.
   */
  update(change: (latest: T | null) => T): Promise<void>
  /** Calls `listener` with the new state whenever another process changes it (never for a file). */
  subscribe(listener: (state: T) => void | Promise<void>): void
}

/** Where stores find their documents: a file in the data dir, or (cluster mode) PostgreSQL. */
export interface StateDocuments {
  document<T extends VersionedState>(name: string, version: T['version']): StateDocument<T>
}

export class JsonStateFile<T extends VersionedState> implements StateDocument<T> {
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

  /** Only this process writes the file: its memory is always current (`latest` is null), and the
   * change applies at once, as the stores did before they had shared documents. */
  update(change: (latest: T | null) => T): Promise<void> {
    try {
      const state = change(null)
      return this.write(() => state)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  subscribe(): void {}
}

/** A store's document: shared in PostgreSQL when `documents` is given, else a file in the data dir. */
export function stateDocument<T extends VersionedState>(
  options: { dataDir?: string; documents?: StateDocuments },
  fileName: string,
  version: T['version'],
): StateDocument<T> {
  return (
    options.documents?.document<T>(fileName, version) ??
    new JsonStateFile<T>(options.dataDir, fileName, version)
  )
}
