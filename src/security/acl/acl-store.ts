// Every ACL binding, kept durably in `<data dir>/acls.json` and loaded at start. Without a data dir
// (in-memory mode) ACLs last until the process stops. Writes are serialized: each change rewrites
// the whole file atomically before it answers (CreateAcls / DeleteAcls wait for it).

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../../storage/file-io.ts'
import { type AclBinding, type AclBindingFilter, filterMatches, sameBinding } from './model.ts'

export const aclsFileName = 'acls.json'
/** ACL bindings kept: a bound on what CreateAcls can grow (each authorization scans them). */
export const aclBindingsMax = 100_000

interface StoredFile {
  version: 1
  acls: AclBinding[]
}

export class AclStore {
  private bindings: AclBinding[] = []
  private readonly file: string | null
  private writing: Promise<void> = Promise.resolve()

  constructor(options: { dataDir?: string }) {
    this.file = options.dataDir === undefined ? null : path.join(options.dataDir, aclsFileName)
  }

  async load(): Promise<void> {
    if (this.file === null) return
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    const stored = JSON.parse(text) as StoredFile
    if (stored.version !== 1) throw new Error(`${this.file}: unknown version ${String(stored.version)}`)
    this.bindings = stored.acls
  }

  all(): readonly AclBinding[] {
    return this.bindings
  }

  matching(filter: AclBindingFilter): AclBinding[] {
    return this.bindings.filter((binding) => filterMatches(filter, binding))
  }

  /** Adds the bindings not already present (creating an existing ACL succeeds, as in Kafka). */
  async add(bindings: readonly AclBinding[]): Promise<void> {
    const fresh = bindings.filter(
      (binding, index) =>
        !this.bindings.some((existing) => sameBinding(existing, binding)) &&
        bindings.findIndex((other) => sameBinding(other, binding)) === index,
    )
    if (this.bindings.length + fresh.length > aclBindingsMax) {
      throw new Error(`more than ${aclBindingsMax} ACL bindings`)
    }
    this.bindings = [...this.bindings, ...fresh.map((binding) => ({ ...binding }))]
    await this.persist()
  }

  /** Removes every binding matching any filter; returns, per filter, what it removed. */
  async remove(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    const removed = filters.map((filter) => this.matching(filter))
    this.bindings = this.bindings.filter(
      (binding) => !filters.some((filter) => filterMatches(filter, binding)),
    )
    await this.persist()
    return removed
  }

  private async persist(): Promise<void> {
    const file = this.file
    if (file === null) return
    const write = this.writing.then(() => {
      const stored: StoredFile = { version: 1, acls: this.bindings }
      return writeFileAtomic(file, `${JSON.stringify(stored, null, 2)}\n`)
    })
    this.writing = write.catch(() => {})
    await write
  }
}
