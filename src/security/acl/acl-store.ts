// Every ACL binding, kept durably in `<data dir>/acls.json` and loaded at start. Without a data dir
// (in-memory mode) ACLs last until the process stops. Writes are serialized: each change rewrites
// the whole file atomically before it answers (CreateAcls / DeleteAcls wait for it). In cluster mode
// the document lives in PostgreSQL, shared by every broker: a change starts from the latest stored
// bindings, and changes made by other brokers arrive through `subscribe` (cluster/shared-state.ts).

import { type StateDocument, type StateDocuments, stateDocument } from '../../storage/state-file.ts'
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
  private readonly stateFile: StateDocument<StoredFile>

  constructor(options: { dataDir?: string; documents?: StateDocuments }) {
    this.stateFile = stateDocument(options, aclsFileName, 1)
    this.stateFile.subscribe((stored) => {
      this.bindings = stored.acls
    })
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
  add(bindings: readonly AclBinding[]): Promise<void> {
    return this.stateFile.update((latest) => {
      const current = latest?.acls ?? this.bindings
      const fresh = bindings.filter(
        (binding, index) =>
          !current.some((existing) => sameBinding(existing, binding)) &&
          bindings.findIndex((other) => sameBinding(other, binding)) === index,
      )
      if (current.length + fresh.length > aclBindingsMax) {
        throw new Error(`more than ${aclBindingsMax} ACL bindings`)
      }
      this.bindings = [...current, ...fresh.map((binding) => ({ ...binding }))]
      return { version: 1, acls: this.bindings }
    })
  }

  /** Removes every binding matching any filter; returns, per filter, what it removed. */
  async remove(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    let removed: AclBinding[][] = []
    await this.stateFile.update((latest) => {
      const current = latest?.acls ?? this.bindings
      removed = filters.map((filter) => current.filter((binding) => filterMatches(filter, binding)))
      this.bindings = current.filter((binding) => !filters.some((filter) => filterMatches(filter, binding)))
      return { version: 1, acls: this.bindings }
    })
    return removed
  }
}
