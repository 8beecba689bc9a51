// The SCRAM credentials of every user: bootstrapped from the users file (--auth-users-file), changed
// live by AlterUserScramCredentials, kept durably in `<data dir>/scram-credentials.json`.
//
// Only salted keys exist here (salt, iteration count, StoredKey, ServerKey), in memory and on disk;
// a password from the users file is turned into credentials at start and dropped. Changes made
// through the API win over the users file across restarts, deletions included (kept as tombstones),
// so a restart does not bring back a credential an operator removed. Without a data dir (in-memory
// mode) API changes last until the process stops.
//
// Writes are serialized: each change rewrites the whole (small) file atomically before it answers.
// In cluster mode the API's changes live in PostgreSQL, shared by every broker (cluster/shared-state.ts):
// a user created through one broker authenticates on every other after its next sync; the users file
// stays each broker's own bootstrap.

import { type StateDocument, type StateDocuments, stateDocument } from '../storage/state-file.ts'
import type { CredentialLookup } from './sasl.ts'
import { passwordMatches, type ScramCredential, type ScramMechanism, scramMechanisms } from './scram.ts'

export const credentialsFileName = 'scram-credentials.json'
/** Users kept (each with at most two credentials): a bound on what AlterUserScramCredentials can grow. */
export const scramUsersMax = 100_000

/** Per user and mechanism: a credential, or null when the API deleted it (a tombstone). */
type CredentialTable = Map<string, Map<ScramMechanism, ScramCredential | null>>

interface StoredCredential {
  salt: string
  iterations: number
  storedKey: string
  serverKey: string
}

interface StoredFile {
  version: 1
  users: Record<string, Partial<Record<ScramMechanism, StoredCredential | null>>>
}

export interface CredentialChange {
  user: string
  mechanism: ScramMechanism
  /** null deletes. */
  credential: ScramCredential | null
}

export class CredentialStore implements CredentialLookup {
  private readonly bootstrap: CredentialTable
  /** Changes made through the API (persisted), applied over the bootstrap credentials. */
  private readonly changes: CredentialTable = new Map()
  private readonly stateFile: StateDocument<StoredFile>

  constructor(options: {
    dataDir?: string
    documents?: StateDocuments
    bootstrap?: readonly ScramCredentialOfUser[]
  }) {
    this.stateFile = stateDocument(options, credentialsFileName, 1)
    this.stateFile.subscribe((stored) => this.adopt(stored))
    this.bootstrap = new Map()
    for (const { user, credential } of options.bootstrap ?? []) {
      setEntry(this.bootstrap, user, credential.mechanism, credential)
    }
  }

  /** Reads the changes an earlier run (or another broker) made through the API. */
  async load(): Promise<void> {
    const stored = await this.stateFile.read()
    if (stored !== null) this.adopt(stored)
  }

  private adopt(stored: StoredFile): void {
    this.changes.clear()
    for (const [user, mechanisms] of Object.entries(stored.users)) {
      for (const mechanism of scramMechanisms) {
        const entry = mechanisms[mechanism]
        if (entry === undefined) continue
        setEntry(this.changes, user, mechanism, entry === null ? null : fromStored(mechanism, entry))
      }
    }
  }

  scramCredential(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    const changed = this.changes.get(user)?.get(mechanism)
    if (changed !== undefined) return changed ?? undefined
    return this.bootstrap.get(user)?.get(mechanism) ?? undefined
  }

  /** Every credential of a user (empty when none). */
  credentialsOf(user: string): ScramCredential[] {
    const credentials: ScramCredential[] = []
    for (const mechanism of scramMechanisms) {
      const credential = this.scramCredential(user, mechanism)
      if (credential !== undefined) credentials.push(credential)
    }
    return credentials
  }

  /** Every user with at least one credential, sorted. */
  users(): string[] {
    const names = new Set([...this.bootstrap.keys(), ...this.changes.keys()])
    return [...names].filter((user) => this.credentialsOf(user).length > 0).sort()
  }

  async verifyPassword(user: string, password: string): Promise<boolean> {
    // The strongest credential the user has; one PBKDF2 run either way.
    const credentials = this.credentialsOf(user)
    const credential = credentials[credentials.length - 1]
    if (credential === undefined) return false
    return passwordMatches(credential, password)
  }

  /** Applies changes and persists them before resolving. */
  apply(changes: readonly CredentialChange[]): Promise<void> {
    return this.stateFile.update((latest) => {
      if (latest !== null) this.adopt(latest)
      for (const change of changes) {
        if (!this.changes.has(change.user) && this.changes.size >= scramUsersMax) {
          throw new Error(`more than ${scramUsersMax} users with changed SCRAM credentials`)
        }
        setEntry(this.changes, change.user, change.mechanism, change.credential)
      }
      return this.stored()
    })
  }

  /** The API's changes as stored: salted keys only, never a password. */
  private stored(): StoredFile {
    const stored: StoredFile = { version: 1, users: {} }
    for (const [user, mechanisms] of this.changes) {
      const entries: Partial<Record<ScramMechanism, StoredCredential | null>> = {}
      for (const [mechanism, credential] of mechanisms) {
        entries[mechanism] = credential === null ? null : toStored(credential)
      }
      stored.users[user] = entries
    }
    return stored
  }
}

export interface ScramCredentialOfUser {
  user: string
  credential: ScramCredential
}

function setEntry(
  table: CredentialTable,
  user: string,
  mechanism: ScramMechanism,
  credential: ScramCredential | null,
): void {
  let mechanisms = table.get(user)
  if (mechanisms === undefined) {
    mechanisms = new Map()
    table.set(user, mechanisms)
  }
  mechanisms.set(mechanism, credential)
}

function toStored(credential: ScramCredential): StoredCredential {
  return {
    salt: credential.salt.toString('base64'),
    iterations: credential.iterations,
    storedKey: credential.storedKey.toString('base64'),
    serverKey: credential.serverKey.toString('base64'),
  }
}

function fromStored(mechanism: ScramMechanism, stored: StoredCredential): ScramCredential {
  return {
    mechanism,
    salt: Buffer.from(stored.salt, 'base64'),
    iterations: stored.iterations,
    storedKey: Buffer.from(stored.storedKey, 'base64'),
    serverKey: Buffer.from(stored.serverKey, 'base64'),
  }
}
