// Every client quota (entity → key → value), kept durably in `<data dir>/client-quotas.json` and
// loaded at start. Without a data dir (in-memory mode) quotas last until the process stops. Writes
// are serialized: each AlterClientQuotas rewrites the whole (small) file atomically before it answers,
// as the ACL and SCRAM stores do. In cluster mode the document lives in PostgreSQL, shared by every
// broker (cluster/shared-state.ts): a change starts from the latest stored quotas, and other brokers'
// changes arrive through `subscribe`.

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { type StateDocument, type StateDocuments, stateDocument } from '../storage/state-file.ts'
import { entityKey, type QuotaEntity } from './quota-entity.ts'
import { isQuotaKey, type QuotaKey, type QuotaValues } from './quota-keys.ts'

export const clientQuotasFileName = 'client-quotas.json'
/** Entities with quotas: a bound on what AlterClientQuotas can grow (resolution looks up 8 of them). */
export const quotaEntitiesMax = 100_000

export interface QuotaEntry {
  entity: QuotaEntity
  values: QuotaValues
}

/** One entity's changes: keys set to a value, keys removed. */
export interface QuotaAlteration {
  entity: QuotaEntity
  set: QuotaValues
  remove: readonly QuotaKey[]
}

interface StoredFile {
  version: 1
  quotas: QuotaEntry[]
}

export class ClientQuotaStore {
  private readonly entries = new Map<string, QuotaEntry>()
  private readonly stateFile: StateDocument<StoredFile>

  constructor(options: { dataDir?: string; documents?: StateDocuments }) {
    this.stateFile = stateDocument(options, clientQuotasFileName, 1)
    this.stateFile.subscribe((stored) => this.adopt(stored))
  }

  async load(): Promise<void> {
    const stored = await this.stateFile.read()
    if (stored !== null) this.adopt(stored)
  }

  private adopt(stored: StoredFile): void {
    this.entries.clear()
    for (const { entity, values } of stored.quotas) {
      const known: QuotaValues = {}
      for (const [key, value] of Object.entries(values)) if (isQuotaKey(key)) known[key] = value
      this.entries.set(entityKey(entity), { entity, values: known })
    }
  }

  /** The values set on exactly this entity. */
  valuesOf(entity: QuotaEntity): QuotaValues | undefined {
    return this.entries.get(entityKey(entity))?.values
  }

  all(): IterableIterator<QuotaEntry> {
    return this.entries.values()
  }

  get size(): number {
    return this.entries.size
  }

  /** Applies the alterations (already validated) and persists them before resolving. */
  apply(alterations: readonly QuotaAlteration[]): Promise<void> {
    return this.stateFile.update((latest) => {
      if (latest !== null) this.adopt(latest)
      const added = alterations.filter((alteration) => !this.entries.has(entityKey(alteration.entity))).length
      if (this.entries.size + added > quotaEntitiesMax) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `more than ${quotaEntitiesMax} client quota entities`)
      }
      for (const { entity, set, remove } of alterations) {
        const key = entityKey(entity)
        const values: QuotaValues = { ...this.entries.get(key)?.values, ...set }
        for (const name of remove) delete values[name]
        if (Object.keys(values).length === 0) this.entries.delete(key)
        else this.entries.set(key, { entity: { ...entity }, values })
      }
      return { version: 1, quotas: [...this.entries.values()] }
    })
  }
}
