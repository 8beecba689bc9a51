// Every ACL binding, kept durably in `<data dir>/acls.json` and loaded at start. Without a data dir
// (in-memory mode) ACLs last until the process stops. Writes are serialized: each change rewrites
// the whole file atomically before it answers (CreateAcls / DeleteAcls wait for it).

import { JsonStateFile } from '../../storage/state-file.ts'
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
  private readonly stateFile: JsonStateFile<StoredFile>

  constructor(options: { dataDir?: string }) {
    this.stateFile = new JsonStateFile(options.dataDir, aclsFileName, 1)
  }

  async load(): Promise<void> {
    this.bindings = (await this.stateFile.read())?.acls ?? []
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

  private persist(): Promise<void> {
    return this.stateFile.write(() => ({ version: 1, acls: this.bindings }))
  }
}
