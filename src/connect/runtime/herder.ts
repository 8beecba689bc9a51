// The herder: what the REST API asks of the worker, with Kafka Connect's answers and errors
// (ConnectorInfo, ConnectorStateInfo, 404 for an unknown connector, 409 for a duplicate, 400 for an
// invalid config with the per-field messages). Writes go to connect-configs and are applied when they
// come back (runtime/worker.ts).

import type { Properties } from '../sdk/config-def.ts'
import type { OffsetMap } from '../sdk/records.ts'
import type { TargetState } from '../storage/config-store.ts'
import { alterGroupOffsets, deleteGroup, listGroupOffsets } from '../storage/group-offsets.ts'
import type { Status } from '../storage/status-store.ts'
import { invalidConfigMessage, validateConnectorConfig } from './connector-config.ts'
import type { Worker } from './worker.ts'

/** An answer other than 2xx, with Kafka's body {"error_code": status, "message": …}. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Kafka's NotLeaderException / NotAssignedException: another worker must answer this request (the
 * leader for config writes, the owner for a task restart). The REST layer forwards it there.
 */
export class ForwardRequest extends RestError {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(409, message)
  }
}

/** Kafka's answer while the group has no settled leader. */
export const rebalanceConflictMessage =
  'Cannot complete request because of a conflicting operation (e.g. worker rebalance)'

/** How long a config write waits for a running rebalance to finish before answering 409. */
const rebalanceWaitMs = 20_000

export interface ConnectorInfo {
  name: string
  config: Properties
  tasks: Array<{ connector: string; task: number }>
  type: 'source' | 'sink' | 'unknown'
}

interface StateJson {
  state: string
  worker_id: string
  trace?: string
}

export interface ConnectorStateInfo {
  name: string
  connector: StateJson
  tasks: Array<StateJson & { id: number }>
  type: 'source' | 'sink' | 'unknown'
}

export interface OffsetEntry {
  partition: Record<string, unknown>
  offset: Record<string, unknown> | null
}

export class Herder {
  constructor(readonly worker: Worker) {}

  private config(name: string): Properties {
    const config = this.worker.configs.connectorConfigs.get(name)
    if (config === undefined) throw new RestError(404, `Connector ${name} not found`)
    return config
  }

  /** Config writes go through the group's leader (Kafka's DistributedHerder); alone, this worker. */
  private async requireLeader(): Promise<void> {
    const member = this.worker.member
    if (member === null) return
    // Kafka's herder queues requests while the group rebalances; so do we, for a bounded time.
    if (!(await member.whenStable(rebalanceWaitMs))) throw new RestError(409, rebalanceConflictMessage)
    if (member.leaderUrl === null) throw new RestError(409, rebalanceConflictMessage)
    if (!member.isLeader)
      throw new ForwardRequest(member.leaderUrl, 'Only the leader can change connector configs')
  }

  connectors(): string[] {
    return [...this.worker.configs.connectorConfigs.keys()].sort()
  }

  info(name: string): ConnectorInfo {
    const config = this.config(name)
    const tasks = (this.worker.configs.taskConfigs.get(name) ?? []).map((_, task) => ({
      connector: name,
      task,
    }))
    return { name, config, tasks, type: this.worker.connectorType(name) ?? 'unknown' }
  }

  status(name: string): ConnectorStateInfo {
    this.config(name)
    const connector = this.worker.status.connectors.get(name)
    const tasks = [...(this.worker.status.tasks.get(name) ?? new Map<number, Status>())]
      .filter(([index]) => index < (this.worker.configs.taskConfigs.get(name) ?? []).length)
      .sort(([a], [b]) => a - b)
      .map(([id, status]) => ({ id, ...stateJson(status) }))
    return {
      name,
      connector:
        connector === undefined
          ? { state: 'UNASSIGNED', worker_id: this.worker.settings.workerId }
          : stateJson(connector),
      tasks,
      type: this.worker.connectorType(name) ?? 'unknown',
    }
  }

  taskStatus(name: string, task: number): StateJson & { id: number } {
    this.config(name)
    const status = this.worker.status.tasks.get(name)?.get(task)
    if (status === undefined || task >= (this.worker.configs.taskConfigs.get(name) ?? []).length)
      throw new RestError(404, `No status found for task ${name}-${task}`)
    return { id: task, ...stateJson(status) }
  }

  tasks(name: string): Array<{ id: { connector: string; task: number }; config: Properties }> {
    this.config(name)
    return (this.worker.configs.taskConfigs.get(name) ?? []).map((config, task) => ({
      id: { connector: name, task },
      config,
    }))
  }

  validate(properties: Properties): void {
    const infos = validateConnectorConfig(properties, this.worker.validationContext())
    if (infos.error_count > 0) throw new RestError(400, invalidConfigMessage(infos))
  }

  async create(name: string, config: Properties, initialState: TargetState): Promise<ConnectorInfo> {
    await this.requireLeader()
    if (this.worker.configs.connectorConfigs.has(name))
      throw new RestError(409, `Connector ${name} already exists`)
    const properties = { ...config, name }
    this.validate(properties)
    await this.worker.configs.putConnectorConfig(name, properties, initialState)
    return { name, config: properties, tasks: [], type: this.worker.connectorType(name) ?? 'unknown' }
  }

  /** PUT /connectors/{name}/config: creates (true) or replaces (false). */
  async putConfig(name: string, config: Properties): Promise<{ created: boolean; info: ConnectorInfo }> {
    await this.requireLeader()
    const created = !this.worker.configs.connectorConfigs.has(name)
    const properties = { ...config, name }
    this.validate(properties)
    await this.worker.configs.putConnectorConfig(name, properties, created ? 'STARTED' : undefined)
    const info: ConnectorInfo = created
      ? { name, config: properties, tasks: [], type: this.worker.connectorType(name) ?? 'unknown' }
      : { ...this.info(name), config: properties }
    return { created, info }
  }

  async patchConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const properties: Properties = { ...this.config(name) }
    await this.requireLeader()
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete properties[key]
      else properties[key] = value
    }
    properties.name = name
    this.validate(properties)
    await this.worker.configs.putConnectorConfig(name, properties)
    return { ...this.info(name), config: properties }
  }

  async delete(name: string): Promise<void> {
    this.config(name)
    await this.requireLeader()
    await this.worker.configs.removeConnector(name)
    await this.worker.settled()
    await this.worker.status.removeConnector(name)
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    this.config(name)
    // Kafka: pause and resume are written by any worker; stop only by the leader, which first writes
    // an empty set of task configs (so a crash between the two leaves the connector without tasks).
    if (state === 'STOPPED') {
      await this.requireLeader()
      await this.worker.leaderWrites.writeTaskConfigs(name, [])
    }
    await this.worker.configs.putTargetState(name, state)
  }

  /**
   * Kafka's internal `POST /connectors/{name}/tasks`: a worker that runs the connector sends the task
   * configs it generated; the leader writes them (a follower forwards the request to it). Unsigned, as
   * Kafka's without the `sessioned` protocol.
   */
  async putTaskConfigs(name: string, configs: Properties[]): Promise<void> {
    if (this.worker.member === null)
      throw new RestError(
        500,
        'Kafka Connect in standalone mode does not support externally setting task configurations.',
      )
    await this.requireLeader()
    await this.worker.leaderWrites.writeTaskConfigs(name, configs)
  }

  /** Kafka's internal `PUT /connectors/{name}/fence`: the leader fences the connector's zombie tasks. */
  async fenceZombies(name: string): Promise<void> {
    if (this.worker.member === null)
      throw new RestError(
        500,
        'Kafka Connect in standalone mode does not support exactly-once source connectors.',
      )
    await this.requireLeader()
    await this.worker.leaderWrites.fenceZombies(name)
  }

  async restart(
    name: string,
    options: { includeTasks: boolean; onlyFailed: boolean },
  ): Promise<ConnectorStateInfo> {
    const before = this.status(name)
    await this.requireLeader()
    // KIP-745: a restart-connector record; every worker restarts what it runs of the connector.
    await this.worker.configs.putRestartRequest(name, options)
    // Kafka answers with the plan: what will restart shows RESTARTING.
    const connectorRestarts = !options.onlyFailed || before.connector.state === 'FAILED'
    return {
      ...before,
      connector: connectorRestarts
        ? { state: 'RESTARTING', worker_id: before.connector.worker_id }
        : before.connector,
      tasks: before.tasks.map((task) =>
        options.includeTasks && (!options.onlyFailed || task.state === 'FAILED')
          ? { id: task.id, state: 'RESTARTING', worker_id: task.worker_id }
          : task,
      ),
    }
  }

  async restartTask(name: string, task: number): Promise<void> {
    this.config(name)
    if (task >= (this.worker.configs.taskConfigs.get(name) ?? []).length)
      throw new RestError(404, `Task ${name}-${task} not found`)
    if (!this.worker.runsTask(name, task)) {
      const owner = this.worker.status.tasks.get(name)?.get(task)?.workerId
      if (owner === undefined || owner === '' || !(await this.worker.member?.whenStable(rebalanceWaitMs)))
        throw new RestError(409, rebalanceConflictMessage)
      throw new ForwardRequest(`http://${owner}`, `Task ${name}-${task} runs on ${owner}`)
    }
    await this.worker.restartTask(name, task)
  }

  topics(name: string): { [connector: string]: { topics: string[] } } {
    this.config(name)
    return { [name]: { topics: [...(this.worker.status.topics.get(name) ?? [])].sort() } }
  }

  async resetTopics(name: string): Promise<void> {
    this.config(name)
    await this.worker.status.resetTopics(name)
  }

  async offsets(name: string): Promise<{ offsets: OffsetEntry[] }> {
    this.config(name)
    if (this.worker.connectorType(name) === 'sink') {
      const offsets = await listGroupOffsets(this.worker.client, `connect-${name}`)
      return {
        offsets: offsets.map((entry) => ({
          partition: { kafka_topic: entry.topic, kafka_partition: entry.partition },
          offset: { kafka_offset: entry.offset },
        })),
      }
    }
    const offsets = await this.worker.sourceOffsetsFor(this.config(name))
    await offsets.readToEnd()
    return { offsets: offsets.all(name).map(({ partition, offset }) => ({ partition, offset })) }
  }

  private requireStopped(name: string): void {
    this.config(name)
    if (
      this.worker.configs.targetStates.get(name) !== 'STOPPED' ||
      this.worker.status.connectors.get(name)?.state !== 'STOPPED'
    )
      throw new RestError(
        400,
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      )
  }

  async alterOffsets(name: string, offsets: OffsetEntry[]): Promise<{ message: string }> {
    this.requireStopped(name)
    await this.requireLeader()
    if (this.worker.connectorType(name) === 'sink') {
      await alterGroupOffsets(this.worker.client, `connect-${name}`, offsets.map(sinkOffsetOf))
    } else {
      const stored = await this.worker.sourceOffsetsFor(this.config(name))
      await stored.put(
        name,
        offsets.map((entry) => ({
          partition: entry.partition as OffsetMap,
          offset: entry.offset as OffsetMap | null,
        })),
      )
    }
    return { message: 'The offsets for this connector have been altered successfully' }
  }

  async resetOffsets(name: string): Promise<{ message: string }> {
    this.requireStopped(name)
    await this.requireLeader()
    if (this.worker.connectorType(name) === 'sink') await deleteGroup(this.worker.client, `connect-${name}`)
    else {
      const stored = await this.worker.sourceOffsetsFor(this.config(name))
      await stored.readToEnd()
      await stored.put(
        name,
        stored.all(name).map(({ partition }) => ({ partition, offset: null })),
      )
    }
    return { message: 'The offsets for this connector have been reset successfully' }
  }
}

function stateJson(status: Status): StateJson {
  return status.trace === null
    ? { state: status.state, worker_id: status.workerId }
    : { state: status.state, trace: status.trace, worker_id: status.workerId }
}

function sinkOffsetOf(entry: OffsetEntry): { topic: string; partition: number; offset: number | null } {
  const { kafka_topic: topic, kafka_partition: partition } = entry.partition
  if (typeof topic !== 'string' || typeof partition !== 'number' || !Number.isInteger(partition))
    throw new RestError(
      400,
      'Partitions for sink connectors must contain a kafka_topic (string) and a kafka_partition (integer)',
    )
  if (entry.offset === null) return { topic, partition, offset: null }
  const offset = entry.offset.kafka_offset
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
    throw new RestError(400, 'Offsets for sink connectors must contain a kafka_offset (non-negative integer)')
  return { topic, partition, offset }
}
