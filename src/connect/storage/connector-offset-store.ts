// Kafka's ConnectorOffsetBackingStore (KIP-618): a source connector with its own
// `offsets.storage.topic` keeps its offsets there, and the worker's global connect-offsets stays a
// second copy. Reads prefer the connector's topic and fall back to the global one (offsets written
// before the option was set); writes go to the connector's topic first, then to the global topic.
// An exactly-once task writes the connector's topic inside its transaction and the global copy after
// the commit, as Kafka's does.

import type { OffsetMap } from '../sdk/records.ts'
import { canonical, type OffsetStore } from './offset-store.ts'

type Entry = { partition: OffsetMap; offset: OffsetMap | null }

/** What source tasks and the offsets REST routes use: OffsetStore's reading and writing methods. */
export interface SourceOffsets {
  /** The topic offsets are written to (inside an exactly-once task's transaction). */
  readonly topic: string
  readToEnd(): Promise<void>
  offset(connector: string, partition: OffsetMap): OffsetMap | null
  all(connector: string): Entry[]
  /** Records offsets written elsewhere (an exactly-once task's transaction) as committed. */
  applyRecord(key: unknown, value: unknown): void
  put(connector: string, entries: Entry[]): Promise<void>
  /** After an exactly-once commit to `topic`: the global copy, when there is one. */
  afterCommit(connector: string, entries: Entry[]): Promise<void>
}

/** The worker's global connect-offsets alone (no `offsets.storage.topic`). */
export function globalOffsets(store: OffsetStore, topic: string): SourceOffsets {
  return {
    topic,
    readToEnd: () => store.readToEnd(),
    offset: (connector, partition) => store.offset(connector, partition),
    all: (connector) => store.all(connector),
    applyRecord: (key, value) => store.applyRecord(key, value),
    put: (connector, entries) => store.put(connector, entries),
    afterCommit: async () => undefined,
  }
}

/** The connector's own topic first, the global one as the fallback and second copy. */
export function connectorOffsets(primary: OffsetStore, topic: string, global: OffsetStore): SourceOffsets {
  return {
    topic,
    readToEnd: async () => {
      await Promise.all([primary.readToEnd(), global.readToEnd()])
    },
    offset: (connector, partition) =>
      primary.has(connector, partition)
        ? primary.offset(connector, partition)
        : global.offset(connector, partition),
    all: (connector) => {
      const merged = new Map<string, Entry>()
      for (const entry of global.all(connector)) merged.set(canonical(entry.partition), entry)
      for (const entry of primary.all(connector)) merged.set(canonical(entry.partition), entry)
      for (const partition of primary.resetPartitions(connector)) merged.delete(partition)
      return [...merged.values()]
    },
    applyRecord: (key, value) => primary.applyRecord(key, value),
    put: async (connector, entries) => {
      await primary.put(connector, entries)
      await global.put(connector, entries)
    },
    afterCommit: (connector, entries) => global.put(connector, entries),
  }
}
