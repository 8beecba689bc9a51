// The worker: runs the connectors and tasks that connect-configs describes, on this process. Every
// change (a REST call here, another worker's write, a replay after restart) arrives as a config-topic
// record and leads to `reconcile(name)`, serialized per connector, which compares what runs with what
// is configured: start/stop the connector instance, regenerate task configs (written back as
// task-/commit- records), start/stop/pause tasks. Status changes go to connect-status.

import type { Logger } from '../../log.ts'
import { createConverter } from '../converters/index.ts'
import { ParsedConfig, type Properties } from '../sdk/config-def.ts'
import type { AnyConnector } from '../sdk/connector.ts'
import { ConfigStore, type TargetState } from '../storage/config-store.ts'
import { GroupConsumer } from '../storage/group-consumer.ts'
import { type KafkaClientOptions, KafkaReader, KafkaWriter } from '../storage/kafka-client.ts'
import { OffsetStore } from '../storage/offset-store.ts'
import { type StateTopicNames, stateTopics } from '../storage/state-topics.ts'
import { type State, StatusStore } from '../storage/status-store.ts'
import { connectorConfigDef } from './connector-config.ts'
import { ErrorHandler, errorHandlingSettings, traceOf } from './error-handling.ts'
import { findConnector } from './plugins.ts'
import { TaskMetrics } from './task-metrics.ts'
import { TransformationChain } from './transformation-chain.ts'
import { WorkerSinkTask } from './worker-sink-task.ts'
import { WorkerSourceTask } from './worker-source-task.ts'
import type { TaskId, WorkerTask } from './worker-task.ts'

export interface WorkerSettings {
  bootstrap: string[]
  /** host:port of this worker's REST listener (Kafka's worker_id). */
  workerId: string
  topics: StateTopicNames
  /** How often source offsets and sink commits are written (Kafka: offset.flush.interval.ms). */
  offsetFlushIntervalMs: number
  log: Logger
}

interface RunningTask {
  config: Properties
  task: WorkerTask
  metrics: TaskMetrics
}

interface RunningConnector {
  config: Properties
  connector: AnyConnector
  failed: boolean
  tasks: Map<number, RunningTask>
}

export class Worker {
  readonly configs: ConfigStore
  readonly offsets: OffsetStore
  readonly status: StatusStore
  readonly client: KafkaClientOptions
  private readonly writer: KafkaWriter
  private readonly running = new Map<string, RunningConnector>()
  private readonly queues = new Map<string, Promise<void>>()
  private stopping = false
  private readonly log: Logger

  constructor(readonly settings: WorkerSettings) {
    this.log = settings.log
    this.client = { bootstrap: settings.bootstrap, clientId: `connect-${settings.workerId}` }
    const topics = stateTopics(settings.topics)
    this.configs = new ConfigStore(this.client, topics.configs, this.log)
    this.offsets = new OffsetStore(this.client, topics.offsets, this.log)
    this.status = new StatusStore(this.client, topics.status, this.log)
    this.writer = new KafkaWriter({ ...this.client, clientId: `${this.client.clientId}-producer` })
  }

  async start(): Promise<void> {
    const startedMs = Date.now()
    await Promise.all([
      this.configs.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-configs read')),
      this.offsets.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-offsets read')),
      this.status.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-status read')),
    ])
    this.configs.listener = { onConnectorChanged: (name) => this.schedule(name) }
    for (const name of this.configs.connectorConfigs.keys()) this.schedule(name)
  }

  /** Waits until every reconcile queued so far has run (tests and REST answers that need it). */
  async settled(): Promise<void> {
    await Promise.all([...this.queues.values()])
  }

  schedule(name: string): void {
    if (this.stopping) return
    const next = (this.queues.get(name) ?? Promise.resolve())
      .then(() => this.reconcile(name))
      .catch((error: unknown) =>
        this.log.error({ err: error, connector: name }, 'reconciling a connector failed'),
      )
    this.queues.set(name, next)
  }

  private async reconcile(name: string): Promise<void> {
    if (this.stopping) return
    const config = this.configs.connectorConfigs.get(name)
    const target: TargetState = this.configs.targetStates.get(name) ?? 'STARTED'
    let current = this.running.get(name)
    if (
      current !== undefined &&
      (config === undefined || !sameProperties(current.config, config) || target === 'STOPPED')
    ) {
      await this.stopConnector(name, current)
      current = undefined
    }
    if (config === undefined) return
    if (target === 'STOPPED') {
      await this.putConnectorStatus(name, 'STOPPED', null)
      if ((this.configs.taskConfigs.get(name) ?? []).length > 0) await this.configs.putTaskConfigs(name, [])
      await this.status.removeTasksFrom(name, 0)
      return
    }
    if (current === undefined) current = await this.startConnector(name, config)
    if (!current.failed) {
      const tasksMax = Number(config['tasks.max'] ?? '1')
      const desired = current.connector.taskConfigs(tasksMax)
      if (!sameTaskConfigs(desired, this.configs.taskConfigs.get(name) ?? [])) {
        await this.configs.putTaskConfigs(name, desired) // comes back as a commit record: reconcile again
        return
      }
    }
    await this.reconcileTasks(name, current, target)
  }

  private async startConnector(name: string, config: Properties): Promise<RunningConnector> {
    const plugin = findConnector(config['connector.class'] ?? '')
    if (plugin === null)
      throw new Error(`connector ${name}: unknown connector.class ${config['connector.class']}`)
    const connector = plugin.create()
    const running: RunningConnector = { config, connector, failed: false, tasks: new Map() }
    this.running.set(name, running)
    try {
      await connector.start(config, {
        requestTaskReconfiguration: () => this.schedule(name),
        raiseError: (error) => {
          running.failed = true
          this.putConnectorStatus(name, 'FAILED', traceOf(error)).catch(() => undefined)
        },
      })
      await this.putConnectorStatus(name, 'RUNNING', null)
    } catch (error) {
      running.failed = true
      this.log.error({ err: error, connector: name }, 'connector failed to start')
      await this.putConnectorStatus(name, 'FAILED', traceOf(error))
    }
    return running
  }

  private async reconcileTasks(name: string, current: RunningConnector, target: TargetState): Promise<void> {
    const configs = this.configs.taskConfigs.get(name) ?? []
    for (const [index, running] of current.tasks) {
      if (index >= configs.length || !sameProperties(running.config, configs[index])) {
        await running.task.stop()
        current.tasks.delete(index)
      }
    }
    if (configs.length < (this.status.tasks.get(name)?.size ?? 0))
      await this.status.removeTasksFrom(name, configs.length)
    for (let index = 0; index < configs.length; index++) {
      if (current.tasks.has(index)) continue
      try {
        current.tasks.set(
          index,
          this.createTask({ connector: name, task: index }, current, configs[index], target),
        )
      } catch (error) {
        // A transform or converter its options refuse: the task is FAILED with the reason, as Kafka's.
        await this.status.putTask(name, index, {
          state: 'FAILED',
          trace: traceOf(error),
          workerId: this.settings.workerId,
          generation: 0,
        })
      }
    }
    for (const running of current.tasks.values()) {
      if (target === 'PAUSED') running.task.pause()
      else running.task.resume()
    }
    if (!current.failed) await this.putConnectorStatus(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING', null)
  }

  private createTask(
    id: TaskId,
    connector: RunningConnector,
    taskConfig: Properties,
    target: TargetState,
  ): RunningTask {
    const config = connector.config
    const parsed = new ParsedConfig(connectorConfigDef(connector.connector.type, []), config)
    const metrics = new TaskMetrics()
    const onStatus = (taskId: TaskId, state: State, trace: string | null): void => {
      this.status
        .putTask(taskId.connector, taskId.task, {
          state,
          trace,
          workerId: this.settings.workerId,
          generation: 0,
        })
        .catch((error: unknown) => this.log.warn({ err: error }, 'writing a task status failed'))
    }
    const onTopic = (topic: string): void => {
      this.status.putTopic(id.connector, topic, id.task).catch(() => undefined)
    }
    const common = {
      id,
      taskConfig,
      keyConverter: createConverter(config, { isKey: true }),
      valueConverter: createConverter(config, { isKey: false }),
      transforms: new TransformationChain(config),
      errors: new ErrorHandler(errorHandlingSettings(parsed), id, this.writer, this.log, () => this.stopping),
      offsetFlushIntervalMs: this.settings.offsetFlushIntervalMs,
      onTopic,
      metrics,
      log: this.log,
      onStatus,
      paused: target === 'PAUSED',
    }
    const task =
      connector.connector.type === 'source'
        ? new WorkerSourceTask({
            ...common,
            task: connector.connector.createTask(),
            writer: this.writer,
            offsets: this.offsets,
          })
        : new WorkerSinkTask({
            ...common,
            task: connector.connector.createTask(),
            topics: parsed.list('topics'),
            consumer: new GroupConsumer({
              ...this.client,
              clientId: `${this.client.clientId}-${id.connector}-${id.task}`,
              groupId: `connect-${id.connector}`,
            }),
            maxPollRecords: 500,
          })
    task.start()
    return { config: taskConfig, task, metrics }
  }

  private async stopConnector(name: string, current: RunningConnector): Promise<void> {
    await Promise.all([...current.tasks.values()].map((running) => running.task.stop()))
    current.tasks.clear()
    try {
      await current.connector.stop()
    } catch (error) {
      this.log.warn({ err: error, connector: name }, 'stopping a connector failed')
    }
    this.running.delete(name)
  }

  private async putConnectorStatus(name: string, state: State, trace: string | null): Promise<void> {
    await this.status.putConnector(name, { state, trace, workerId: this.settings.workerId, generation: 0 })
  }

  /** POST /connectors/{name}/restart: the connector instance and/or its tasks, all or only failed ones. */
  async restart(name: string, options: { includeTasks: boolean; onlyFailed: boolean }): Promise<void> {
    await this.queues.get(name)
    const current = this.running.get(name)
    if (current === undefined) {
      this.schedule(name)
      return
    }
    const restartConnector = !options.onlyFailed || current.failed
    if (restartConnector) await this.putConnectorStatus(name, 'RESTARTING', null)
    if (options.includeTasks) {
      for (const [index, running] of current.tasks) {
        if (options.onlyFailed && !running.task.failed) continue
        this.status.applyRecord(`status-task-${name}-${index}`, {
          state: 'RESTARTING',
          worker_id: this.settings.workerId,
          trace: null,
          generation: 0,
        })
        await running.task.stop()
        current.tasks.delete(index)
      }
    }
    if (restartConnector) {
      const tasks = current.tasks
      try {
        await current.connector.stop()
      } catch (error) {
        this.log.warn({ err: error, connector: name }, 'stopping a connector failed')
      }
      const restarted = await this.startConnector(name, current.config)
      restarted.tasks = tasks
    }
    this.schedule(name)
  }

  /** POST /connectors/{name}/tasks/{id}/restart. */
  async restartTask(name: string, index: number): Promise<void> {
    await this.queues.get(name)
    const running = this.running.get(name)?.tasks.get(index)
    if (running !== undefined) {
      await running.task.stop()
      this.running.get(name)?.tasks.delete(index)
    }
    this.schedule(name)
  }

  taskMetrics(): Array<{ connector: string; task: number; type: 'source' | 'sink'; metrics: TaskMetrics }> {
    const out: Array<{ connector: string; task: number; type: 'source' | 'sink'; metrics: TaskMetrics }> = []
    for (const [name, running] of this.running)
      for (const [task, entry] of running.tasks)
        out.push({ connector: name, task, type: running.connector.type, metrics: entry.metrics })
    return out
  }

  /** Committed offsets of a sink connector's group, for GET /connectors/{name}/offsets. */
  newReader(): KafkaReader {
    return new KafkaReader({ ...this.client, clientId: `${this.client.clientId}-admin` })
  }

  connectorType(name: string): 'source' | 'sink' | null {
    const className = this.configs.connectorConfigs.get(name)?.['connector.class']
    return className === undefined ? null : (findConnector(className)?.create().type ?? null)
  }

  async stop(): Promise<void> {
    this.stopping = true
    await Promise.allSettled([...this.queues.values()])
    await Promise.all([...this.running].map(([name, current]) => this.stopConnector(name, current)))
    await Promise.allSettled([
      this.configs.stop(),
      this.offsets.stop(),
      this.status.stop(),
      this.writer.close(),
    ])
  }
}

function canonicalProperties(properties: Properties): string {
  return JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function sameProperties(a: Properties, b: Properties): boolean {
  return canonicalProperties(a) === canonicalProperties(b)
}

function sameTaskConfigs(a: Properties[], b: Properties[]): boolean {
  return a.length === b.length && a.every((config, index) => sameProperties(config, b[index]))
}
