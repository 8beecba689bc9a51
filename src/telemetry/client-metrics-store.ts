// Client-metrics subscriptions (CLIENT_METRICS config resources, KIP-714), persisted in
// `<data dir>/client-metrics.json` (rewritten atomically before IncrementalAlterConfigs answers, so an
// acknowledged change survives a crash). A subscription whose last config is deleted no longer
// exists, as in Kafka. Each change bumps `epoch`, which tells the client instance cache that its
// computed subscriptions are stale.

import { JsonStateFile } from '../storage/state-file.ts'
import { type ClientMetricsSubscription, parseSubscription } from './client-metrics-config.ts'

interface StoredFile {
  version: 1
  subscriptions: Record<string, Record<string, string>>
}

/** Bound on subscriptions (each is matched against every client's GetTelemetrySubscriptions). */
export const clientMetricsSubscriptionsMax = 1000

export class ClientMetricsStore {
  private readonly stateFile: JsonStateFile<StoredFile>
  private readonly configs = new Map<string, Record<string, string>>()
  private parsed: ClientMetricsSubscription[] = []
  private epochValue = 0

  constructor(dataDir: string | undefined) {
    this.stateFile = new JsonStateFile(dataDir, 'client-metrics.json', 1)
  }

  async load(): Promise<void> {
    const stored = await this.stateFile.read()
    if (stored === null) return
    for (const [name, configs] of Object.entries(stored.subscriptions)) this.configs.set(name, configs)
    this.reparse()
  }

  get epoch(): number {
    return this.epochValue
  }

  /** Subscription names, sorted (ListClientMetricsResources). */
  names(): string[] {
    return [...this.configs.keys()].sort()
  }

  /** The stored configs of one subscription (empty when it does not exist). */
  configsOf(name: string): Readonly<Record<string, string>> {
    return this.configs.get(name) ?? {}
  }

  subscriptions(): readonly ClientMetricsSubscription[] {
    return this.parsed
  }

  /** Checks `configs` (throws KafkaError) and, unless validateOnly, stores them and waits for the disk. */
  async set(name: string, configs: Record<string, string>, validateOnly: boolean): Promise<void> {
    parseSubscription(name, configs)
    if (validateOnly) return
    if (Object.keys(configs).length === 0) this.configs.delete(name)
    else this.configs.set(name, configs)
    this.reparse()
    await this.stateFile.write(() => ({ version: 1, subscriptions: Object.fromEntries(this.configs) }))
  }

  has(name: string): boolean {
    return this.configs.has(name)
  }

  get size(): number {
    return this.configs.size
  }

  private reparse(): void {
    this.parsed = [...this.configs].map(([name, configs]) => parseSubscription(name, configs))
    this.epochValue += 1
  }
}
