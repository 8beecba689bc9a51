// Cluster-wide state documents in PostgreSQL (table shared_state, migration 4): the ACLs, the SCRAM
// credentials changed through the API, the client quotas and the cluster-wide dynamic broker configs
// that a single broker keeps as JSON files in its data dir (storage/state-file.ts). Each store holds
// its whole state in memory, as in single-process mode; here its document is one row with a revision.
//
// A change is a read-modify-write in one database transaction: the row is locked (FOR UPDATE), the
// store adopts the stored document when another broker changed it since this broker last saw it,
// applies its change and the new document is written with revision + 1. Two brokers changing the same
// document at once are serialized by the row lock, so neither undoes the other. The sync loop
// (cluster-node.ts, every heartbeat interval) compares revisions and hands each document another
// broker changed to its store: every broker sees a change within one sync interval.

import type { StateDocument, StateDocuments, VersionedState } from '../storage/state-file.ts'
import type { MetadataDatabase } from './database.ts'

interface StoredRow {
  revision: number
  document: unknown
}

export class SharedStateDocuments implements StateDocuments {
  private readonly documents = new Map<string, SharedStateDocument<VersionedState>>()

  constructor(private readonly database: MetadataDatabase) {}

  document<T extends VersionedState>(name: string, version: T['version']): StateDocument<T> {
    if (this.documents.has(name)) throw new Error(`shared state document ${name} opened twice`)
    const document = new SharedStateDocument<T>(this.database, name, version)
    this.documents.set(name, document as unknown as SharedStateDocument<VersionedState>)
    return document
  }

  /** Hands every document another broker changed since this one last saw it to its store. */
  async sync(): Promise<void> {
    if (this.documents.size === 0) return
    const rows = await this.database.query<{ name: string; revision: number }>(
      'SELECT name, revision FROM shared_state WHERE name = ANY($1::text[])',
      [[...this.documents.keys()]],
    )
    for (const row of rows) {
      const document = this.documents.get(row.name)
      if (document !== undefined && document.revision !== row.revision) await document.reload()
    }
  }
}

class SharedStateDocument<T extends VersionedState> implements StateDocument<T> {
  /** The revision this broker's store holds (0: nothing stored; -1: unknown after a failed write). */
  revision = 0
  private readonly listeners: ((state: T) => void | Promise<void>)[] = []
  /** Changes and reloads of this document run one at a time, in call order. */
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly database: MetadataDatabase,
    private readonly name: string,
    private readonly version: T['version'],
  ) {}

  async read(): Promise<T | null> {
    const [row] = await this.database.query<StoredRow>(
      'SELECT revision, document FROM shared_state WHERE name = $1',
      [this.name],
    )
    if (row === undefined) return null
    this.revision = row.revision
    return this.checked(row.document)
  }

  write(state: () => T): Promise<void> {
    return this.update(() => state())
  }

  update(change: (latest: T | null) => T): Promise<void> {
    return this.serially(() => this.commit(change))
  }

  subscribe(listener: (state: T) => void | Promise<void>): void {
    this.listeners.push(listener)
  }

  /** Reads the stored document and hands it to the listeners (another broker changed it). */
  reload(): Promise<void> {
    return this.serially(async () => {
      const stored = await this.read()
      if (stored === null) return
      for (const listener of this.listeners) await listener(stored)
    })
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work)
    this.queue = run.catch(() => {})
    return run
  }

  private async commit(change: (latest: T | null) => T): Promise<void> {
    // An error of the change itself (a validation, a bound) reaches the caller as it is, not as a
    // database error.
    let refused: { error: unknown } | null = null
    try {
      this.revision = await this.database.transaction(async (client) => {
        await client.query(
          `INSERT INTO shared_state (name, revision, document) VALUES ($1, 0, NULL)
           ON CONFLICT (name) DO NOTHING`,
          [this.name],
        )
        const { rows } = await client.query<StoredRow>(
          'SELECT revision, document FROM shared_state WHERE name = $1 FOR UPDATE',
          [this.name],
        )
        const row = rows[0]
        const latest = row.revision === this.revision ? null : this.checked(row.document)
        let next: T
        try {
          next = change(latest)
        } catch (error) {
          refused = { error }
          throw error
        }
        await client.query('UPDATE shared_state SET revision = $2, document = $3::jsonb WHERE name = $1', [
          this.name,
          row.revision + 1,
          JSON.stringify(next),
        ])
        return row.revision + 1
      })
    } catch (error) {
      if (refused !== null) throw (refused as { error: unknown }).error
      // The store's memory may now be ahead of what is stored: the next sync reloads the document.
      this.revision = -1
      throw error
    }
  }

  private checked(document: unknown): T | null {
    if (document === null) return null
    const stored = document as T
    if (stored.version !== this.version)
      throw new Error(`shared state ${this.name}: unknown version ${String(stored.version)}`)
    return stored
  }
}
