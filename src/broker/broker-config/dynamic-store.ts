// The dynamic broker configs of this broker (KIP-226): the cluster-wide defaults (resource name "")
// and this broker's own (resource name = node id), kept in `dynamic-broker-configs.json` in the data
// dir (rewritten whole and atomically on each change, so an acknowledged AlterConfigs survives a
// crash) and applied at start and after each change. Precedence, as in Kafka: this broker's value,
// then the cluster default, then the value set at start, then Kafka's default.
// In cluster mode the cluster-wide defaults live in PostgreSQL, shared by every broker
// (cluster/shared-state.ts): an alter starts from the latest stored defaults and other brokers'
// changes arrive through `subscribe` (applied at once); this broker's own configs stay in its file.
// Applied here: the broker defaults of topic configs (log.retention.ms, message.max.bytes, …: topics
// without an override follow at once) and the connection limits; the rest is stored and reported only.

import type { BrokerLimits } from '../../config/limits.ts'
import {
  JsonStateFile,
  type StateDocument,
  type StateDocuments,
  type VersionedState,
} from '../../storage/state-file.ts'
import { type TopicConfigOverrides, topicConfigDefinition } from '../../storage/topic-config.ts'
import type { LogManager } from '../../storage/types.ts'
import type { ConnectionLimiter } from '../connection-limits.ts'
import { dynamicConfigDefinitions } from './dynamic-definitions.ts'

export type DynamicConfigLevel = 'clusterDefault' | 'perBroker'

interface StoredDynamicConfigs extends VersionedState {
  version: 1
  clusterDefault: Record<string, string>
  perBroker: Record<string, string>
}

/** Cluster mode: the cluster-wide defaults, shared by every broker. */
interface StoredClusterDefaults extends VersionedState {
  version: 1
  configs: Record<string, string>
}

export interface DynamicBrokerConfigsOptions {
  dataDir?: string
  /** Cluster mode: where the cluster-wide defaults are shared. */
  documents?: StateDocuments
  logs: LogManager
  /** Topic config defaults set at start (Kafka's topic names). */
  staticTopicDefaults: TopicConfigOverrides
  limits: BrokerLimits
  connectionLimiter?: ConnectionLimiter
}

export const dynamicConfigsFileName = 'dynamic-broker-configs.json'
export const clusterDefaultConfigsDocument = 'dynamic-broker-configs-default'

export class DynamicBrokerConfigs {
  private readonly levels: Record<DynamicConfigLevel, Record<string, string>> = {
    clusterDefault: {},
    perBroker: {},
  }
  private readonly file: JsonStateFile<StoredDynamicConfigs>
  private readonly shared: StateDocument<StoredClusterDefaults> | undefined

  private constructor(private readonly options: DynamicBrokerConfigsOptions) {
    this.file = new JsonStateFile(options.dataDir, dynamicConfigsFileName, 1)
    this.shared = options.documents?.document<StoredClusterDefaults>(clusterDefaultConfigsDocument, 1)
  }

  /** Reads the stored configs and applies them. */
  static async open(options: DynamicBrokerConfigsOptions): Promise<DynamicBrokerConfigs> {
    const configs = new DynamicBrokerConfigs(options)
    const stored = await configs.file.read()
    if (stored !== null) {
      configs.levels.clusterDefault = { ...stored.clusterDefault }
      configs.levels.perBroker = { ...stored.perBroker }
    }
    if (configs.shared !== undefined) {
      configs.levels.clusterDefault = { ...(await configs.shared.read())?.configs }
      configs.shared.subscribe((latest) => {
        configs.levels.clusterDefault = { ...latest.configs }
        return configs.apply()
      })
    }
    await configs.apply()
    return configs
  }

  /** The configs set at one level, by name. */
  at(level: DynamicConfigLevel): Readonly<Record<string, string>> {
    return this.levels[level]
  }

  /** Replaces every config of one level (already validated), durably, then applies the result. */
  replace(level: DynamicConfigLevel, configs: Readonly<Record<string, string>>): Promise<void> {
    return this.change(level, () => configs)
  }

  /**
   * Sets one level to `propose(current)` (which validates and may throw), durably, then applies the
   * result. In cluster mode the cluster defaults' `current` is the latest stored in PostgreSQL, so
   * alters through different brokers never undo each other.
   */
  async change(
    level: DynamicConfigLevel,
    propose: (current: Readonly<Record<string, string>>) => Readonly<Record<string, string>>,
  ): Promise<void> {
    const previous = this.levels[level]
    try {
      if (level === 'clusterDefault' && this.shared !== undefined) {
        await this.shared.update((latest) => {
          this.levels.clusterDefault = { ...propose(latest?.configs ?? previous) }
          return { version: 1, configs: this.levels.clusterDefault }
        })
      } else {
        this.levels[level] = { ...propose(previous) }
        await this.file.write(() => ({ version: 1, ...this.levels }))
      }
    } catch (error) {
      this.levels[level] = previous
      throw error
    }
    await this.apply()
  }

  /** The dynamic value of `name` (this broker's, else the cluster default), or undefined. */
  dynamicValue(name: string): string | undefined {
    return this.levels.perBroker[name] ?? this.levels.clusterDefault[name]
  }

  /** The topic defaults in effect: set at start, overridden by the dynamic broker defaults. */
  topicDefaults(): TopicConfigOverrides {
    const defaults: Record<string, string> = { ...this.options.staticTopicDefaults }
    for (const definition of dynamicConfigDefinitions.values()) {
      const topicConfig = definition.topicConfig
      if (topicConfig === undefined || topicConfigDefinition(topicConfig) === undefined) continue
      const value = this.dynamicValue(definition.name)
      if (value !== undefined) defaults[topicConfig] = value
    }
    return defaults
  }

  private intValue(name: string, startValue: number): number {
    const value = this.dynamicValue(name)
    return value === undefined ? startValue : Number(value)
  }

  private async apply(): Promise<void> {
    await this.options.logs.setDefaultConfigOverrides(this.topicDefaults())
    const { limits } = this.options
    this.options.connectionLimiter?.reconfigure({
      connectionsMax: this.intValue('max.connections', limits.connectionsMax),
      connectionsPerIpMax: this.intValue('max.connections.per.ip', limits.connectionsPerIpMax),
      connectionsPerIpOverrides:
        this.dynamicValue('max.connections.per.ip.overrides') ?? limits.connectionsPerIpOverrides,
    })
  }
}
