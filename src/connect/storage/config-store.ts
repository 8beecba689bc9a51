// KafkaConfigBackingStore: connector configs, task configs and target states in `connect-configs`, in
// Kafka Connect's record formats (internal JsonConverter, schemas disabled):
//   connector-<name>        {"properties": {…}}            (tombstone: deleted)
//   task-<name>-<n>         {"properties": {…}}            (applied only when the commit record comes)
//   commit-<name>           {"tasks": <count>}
//   target-state-<name>     {"state": "STARTED"} | {"state": "PAUSED", "state.v2": "PAUSED"|"STOPPED"}
//   restart-connector-<name> {"include-tasks": bool, "only-failed": bool}  (KIP-745: a request, not state;
//                            only records read after start reach the listener)
//   tasks-fencing-<name>    {"task-count": <count>}   (KIP-618: the producers of every earlier task of an
//                            exactly-once source connector were fenced; its <count> tasks may start)
// `applyRecord` is the only mutation, used on replay and when our own writes come back.

import type { Logger } from '../../log.ts'
import type { Properties } from '../sdk/config-def.ts'
import { KafkaBasedLog, type StateTopic } from './kafka-based-log.ts'
import type { KafkaClientOptions } from './kafka-client.ts'
import { jsonBytes, parseJson } from './state-topics.ts'

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED'

export interface RestartRequest {
  includeTasks: boolean
  onlyFailed: boolean
}

export interface ConfigListener {
  /** A connector's config, task configs or target state changed (or it was deleted). */
  onConnectorChanged(name: string): void
  /** POST /connectors/{name}/restart reached the topic (from any worker). */
  onRestartRequest(name: string, request: RestartRequest): void
}

export class ConfigStore {
  readonly connectorConfigs = new Map<string, Properties>()
  readonly taskConfigs = new Map<string, Properties[]>()
  readonly targetStates = new Map<string, TargetState>()
  /** KIP-618's task count records: how many tasks' producers the last zombie fencing covered. */
  readonly taskCountRecords = new Map<string, number>()
  /** The most tasks a connector had in any generation seen since start (whom a fencing must cover). */
  readonly highestTaskCounts = new Map<string, number>()
  private readonly deferredTasks = new Map<string, Map<number, Properties>>()
  private readonly log: KafkaBasedLog
  listener: ConfigListener | null = null

  constructor(client: KafkaClientOptions, topic: StateTopic, logger: Logger) {
    this.log = new KafkaBasedLog(
      client,
      topic,
      (record) => this.applyRecord(record.key?.toString('utf8') ?? '', parseJson(record.value)),
      logger,
    )
  }

  start(): Promise<void> {
    return this.log.start()
  }

  stop(): Promise<void> {
    return this.log.stop()
  }

  readToEnd(): Promise<void> {
    return this.log.readToEnd()
  }

  /** Offset of the last record applied (-1: none): a worker's config_offset in the group protocol. */
  lastOffset(): number {
    return this.log.lastOffset()
  }

  applyRecord(key: string, value: unknown): void {
    const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length)
      if (object === null) {
        this.connectorConfigs.delete(name)
        this.taskConfigs.delete(name)
        this.deferredTasks.delete(name)
        this.targetStates.delete(name)
        this.taskCountRecords.delete(name)
      } else this.connectorConfigs.set(name, propertiesOf(object.properties))
      this.listener?.onConnectorChanged(name)
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length)
      if (object === null) this.targetStates.delete(name)
      else this.targetStates.set(name, targetStateOf(object))
      this.listener?.onConnectorChanged(name)
    } else if (key.startsWith('task-')) {
      const match = /^task-(.+)-(\d+)$/.exec(key)
      if (match === null || object === null) return
      const [, name, index] = match
      const deferred = this.deferredTasks.get(name) ?? new Map<number, Properties>()
      deferred.set(Number(index), propertiesOf(object.properties))
      this.deferredTasks.set(name, deferred)
    } else if (key.startsWith('restart-connector-')) {
      if (object === null) return
      this.listener?.onRestartRequest(key.slice('restart-connector-'.length), {
        includeTasks: object['include-tasks'] === true,
        onlyFailed: object['only-failed'] === true,
      })
    } else if (key.startsWith('tasks-fencing-')) {
      const name = key.slice('tasks-fencing-'.length)
      const count = object?.['task-count']
      if (typeof count !== 'number') this.taskCountRecords.delete(name)
      else this.taskCountRecords.set(name, count)
      this.listener?.onConnectorChanged(name)
    } else if (key.startsWith('commit-')) {
      const name = key.slice('commit-'.length)
      if (object === null || typeof object.tasks !== 'number') return
      this.commitTasks(name, object.tasks)
      this.listener?.onConnectorChanged(name)
    }
  }

  /** Applies the deferred task configs of a commit record (Kafka keeps the old ones if some are missing). */
  private commitTasks(name: string, count: number): void {
    const deferred = this.deferredTasks.get(name) ?? new Map<number, Properties>()
    const previous = this.taskConfigs.get(name) ?? []
    const tasks: Properties[] = []
    for (let index = 0; index < count; index++) {
      const config = deferred.get(index) ?? previous[index]
      if (config === undefined) return // inconsistent after compaction: wait for a new commit
      tasks.push(config)
    }
    this.taskConfigs.set(name, tasks)
    this.deferredTasks.delete(name)
    this.highestTaskCounts.set(name, Math.max(count, previous.length, this.highestTaskCounts.get(name) ?? 0))
  }

  async putConnectorConfig(name: string, properties: Properties, targetState?: TargetState): Promise<void> {
    const records: Array<{ key: Buffer; value: Buffer }> = [
      { key: Buffer.from(`connector-${name}`), value: jsonBytes({ properties }) },
    ]
    if (targetState !== undefined) records.unshift(targetStateRecord(name, targetState))
    await this.log.send(records)
    await this.log.readToEnd()
  }

  async removeConnector(name: string): Promise<void> {
    await this.log.send([
      { key: Buffer.from(`connector-${name}`), value: null },
      { key: Buffer.from(`target-state-${name}`), value: null },
    ])
    await this.log.readToEnd()
  }

  async putTaskConfigs(name: string, configs: Properties[]): Promise<void> {
    const records = configs.map((properties, index) => ({
      key: Buffer.from(`task-${name}-${index}`),
      value: jsonBytes({ properties }),
    }))
    records.push({ key: Buffer.from(`commit-${name}`), value: jsonBytes({ tasks: configs.length }) })
    await this.log.send(records)
    await this.log.readToEnd()
  }

  /** KIP-618's task count record, written after the zombie fencing of the connector's earlier tasks. */
  async putTaskCountRecord(name: string, count: number): Promise<void> {
    await this.log.send([
      { key: Buffer.from(`tasks-fencing-${name}`), value: jsonBytes({ 'task-count': count }) },
    ])
    await this.log.readToEnd()
  }

  async putRestartRequest(name: string, request: RestartRequest): Promise<void> {
    const value = { 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed }
    await this.log.send([{ key: Buffer.from(`restart-connector-${name}`), value: jsonBytes(value) }])
    await this.log.readToEnd()
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.log.send([targetStateRecord(name, state)])
    await this.log.readToEnd()
  }
}

function targetStateRecord(name: string, state: TargetState): { key: Buffer; value: Buffer } {
  const value = state === 'STARTED' ? { state: 'STARTED' } : { state: 'PAUSED', 'state.v2': state }
  return { key: Buffer.from(`target-state-${name}`), value: jsonBytes(value) }
}

function targetStateOf(object: Record<string, unknown>): TargetState {
  const state = object['state.v2'] ?? object.state
  return state === 'PAUSED' || state === 'STOPPED' ? state : 'STARTED'
}

function propertiesOf(value: unknown): Properties {
  const properties: Properties = {}
  if (typeof value !== 'object' || value === null) return properties
  for (const [key, item] of Object.entries(value))
    if (item !== null && item !== undefined) properties[key] = String(item)
  return properties
}
