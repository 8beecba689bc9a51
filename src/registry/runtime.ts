// The registry's one store, shared by its HTTP port (app.ts) and the broker's Produce path
// (broker-side schema validation), built on first use by whichever needs it first: creating a
// RegistryRuntime loads nothing (type imports only), so an idle broker does not carry the registry.
// A failed build (e.g. a disk error while replaying `_schemas`) is tried again by the next caller.

import type { TopicConfig } from '../storage/topic-config.ts'
import type { RegistryContext } from './server.ts'
import type { RegistryStore } from './store/registry-store.ts'
import type { ProducedRecord, RecordRefusal, SchemaValidator } from './validation/types.ts'

export class RegistryRuntime {
  readonly context: RegistryContext
  private storeBuilt: Promise<RegistryStore> | null = null
  private validatorBuilt: Promise<SchemaValidator> | null = null

  constructor(context: RegistryContext) {
    this.context = context
  }

  get log(): RegistryContext['log'] {
    return this.context.log
  }

  get logs(): RegistryContext['logs'] {
    return this.context.logs
  }

  /** The store, `_schemas` replayed into it. */
  store(): Promise<RegistryStore> {
    if (this.storeBuilt === null) {
      const building = Promise.all([
        import('./store/registry-store.ts'),
        import('./store/schemas-topic.ts'),
      ]).then(async ([{ RegistryStore }, { SchemasTopic }]) => {
        const store = new RegistryStore(new SchemasTopic(this.context.logs), this.context.log)
        await store.load()
        this.context.log.info(
          { schemas: store.state.contents.size, records: store.state.applied },
          'registry loaded _schemas',
        )
        return store
      })
      building.catch(() => {
        this.storeBuilt = null
      })
      this.storeBuilt = building
    }
    return this.storeBuilt
  }

  /** Broker-side schema validation over the store (loaded on the first validated produce). */
  readonly validator: SchemaValidator = {
    check: async (
      topic: string,
      config: TopicConfig,
      records: readonly ProducedRecord[],
    ): Promise<RecordRefusal[]> => (await this.loadValidator()).check(topic, config, records),
  }

  private loadValidator(): Promise<SchemaValidator> {
    if (this.validatorBuilt === null) {
      const building = Promise.all([this.store(), import('./validation/schema-id-validator.ts')]).then(
        ([store, { SchemaIdValidator }]) => new SchemaIdValidator(store),
      )
      building.catch(() => {
        this.validatorBuilt = null
      })
      this.validatorBuilt = building
    }
    return this.validatorBuilt
  }
}
