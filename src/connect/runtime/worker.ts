// The worker: runs the connectors and tasks that connect-configs describes and that this worker owns
// (all of them alone; its assignment in a Connect group, distributed/). Every change (a REST call
// here, another worker's write, a replay after restart, a new assignment) leads to
// `reconcile(name)`, serialized per connector, which compares what runs with what is configured and
// owned: start/stop the connector instance, regenerate task configs (written back as task-/commit-
// records), start/stop/pause tasks. Status changes go to connect-status.

import type { Logger } from '../../log.ts'
import type { SampleWindow } from '../../metrics/sampled-stat.ts'
import type { ConfiguredWork } from '../distributed/assignor.ts'
import type { Allocation, ConnectAssignment } from '../distributed/connect-protocol.ts'
import { type GroupMemberSettings, WorkerGroupMember } from '../distributed/group-member.ts'
import type { RebalanceSnapshot } from '../distributed/rebalance-metrics.ts'
import { WorkAssignment } from '../distributed/work-assignment.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { AnyConnector } from '../sdk/connector.ts'
import { ConfigStore, type RestartRequest, type TargetState } from '../storage/config-store.ts'
import { connectorOffsets, globalOffsets, type SourceOffsets } from '../storage/connector-offset-store.ts'
import { type KafkaClientOptions, KafkaReader, KafkaWriter } from '../storage/kafka-client.ts'
import { OffsetStore } from '../storage/offset-store.ts'
import { type StateTopicNames, stateTopics } from '../storage/state-topics.ts'
import { type State, StatusStore } from '../storage/status-store.ts'
import { fenceProducers } from '../storage/transactional-writer.ts'
import type { WorkerValidationContext } from './connector-config.ts'
import { traceOf } from './error-handling.ts'
import { LeaderWrites, sameProperties, sameTaskConfigs } from './leader-writes.ts'
import { loadPluginPath, type PluginLoadFailure } from './plugin-path.ts'
import { findConnector, registerConnectorPlugins } from './plugins.ts'
import { buildWorkerTask, type TaskFactoryContext } from './task-factory.ts'
import { TaskMetrics } from './task-metrics.ts'
import { type ConnectorMetricsEntry, WorkerMetrics, type WorkerMetricsSource } from './worker-metrics.ts'
import type { WorkerTask } from './worker-task.ts'

export interface WorkerSettings {
  bootstrap: string[]
  /** host:port of this worker's REST listener (Kafka's worker_id). */
  workerId: string
  topics: StateTopicNames
  /** How often source offsets and sink commits are written (Kafka: offset.flush.interval.ms). */
  offsetFlushIntervalMs: number
  log: Logger
  /** Kafka's group.id and group settings: set, the worker joins a Connect group (distributed mode). */
  group?: Omit<GroupMemberSettings, 'bootstrap' | 'clientId' | 'log'>
  /** KIP-618's worker `exactly.once.source.support` (Kafka's default: disabled). */
  exactlyOnceSourceSupport?: ExactlyOnceSourceSupport
  /** Kafka's plugin.path: directories whose JS modules are connector plugins (runtime/plugin-path.ts). */
  pluginPath?: string[]
  /** Kafka's metrics.sample.window.ms and metrics.num.samples (default 30000 × 2). */
  metricsWindow?: SampleWindow
}

/** `preparing` runs tasks as `disabled` does (it exists for Kafka's rolling upgrade to `enabled`). */
export type ExactlyOnceSourceSupport = 'disabled' | 'preparing' | 'enabled'

/** Kafka's default group.id of a Connect cluster; the transactional ids' prefix of a worker alone. */
export const defaultConnectGroupId = 'connect-cluster'

interface RunningTask {
  /** The connector config it was built from (converters, transforms) and its own task config. */
  connectorConfig: Properties
  config: Properties
  task: WorkerTask
  metrics: TaskMetrics
}

interface RunningConnector {
  config: Properties
  connector: AnyConnector
  failed: boolean
}

export interface TaskMetricsEntry {
  connector: string
  task: number
  type: 'source' | 'sink'
  metrics: TaskMetrics
}

export class Worker implements WorkerMetricsSource {
  readonly metrics: WorkerMetrics
  readonly configs: ConfigStore
  readonly offsets: OffsetStore
  readonly status: StatusStore
  readonly client: KafkaClientOptions
  /** The Connect group membership (distributed mode), or null for a worker alone. */
  readonly member: WorkerGroupMember | null
  private readonly assignment: WorkAssignment | null
  private readonly writer: KafkaWriter
  private readonly connectors = new Map<string, RunningConnector>()
  private readonly tasks = new Map<string, Map<number, RunningTask>>()
  private readonly queues = new Map<string, Promise<void>>()
  /** Connectors' own offsets topics (offsets.storage.topic), each read once. */
  private readonly connectorOffsetStores = new Map<string, Promise<OffsetStore>>()
  private readonly taskContext: TaskFactoryContext
  /** Task configs and zombie fencing: written by the leader (runtime/leader-writes.ts). */
  readonly leaderWrites: LeaderWrites
  /** The connectors and task counts the leader last assigned from (a change asks for a rebalance). */
  private assignedWork = ''
  private generation = 0
  private stopping = false
  /** plugin.path entries that could not be loaded (logged at start). */
  pluginFailures: PluginLoadFailure[] = []
  private readonly log: Logger

  constructor(readonly settings: WorkerSettings) {
    this.log = settings.log
    this.metrics = new WorkerMetrics(settings.metricsWindow)
    this.client = { bootstrap: settings.bootstrap, clientId: `connect-${settings.workerId}` }
    const topics = stateTopics(settings.topics)
    this.configs = new ConfigStore(this.client, topics.configs, this.log)
    this.offsets = new OffsetStore(this.client, topics.offsets, this.log)
    this.status = new StatusStore(this.client, topics.status, this.log)
    this.writer = new KafkaWriter({ ...this.client, clientId: `${this.client.clientId}-producer` })
    this.taskContext = {
      client: this.client,
      writer: this.writer,
      offsets: this.offsets,
      status: this.status,
      workerId: settings.workerId,
      generation: () => this.generation,
      offsetFlushIntervalMs: settings.offsetFlushIntervalMs,
      exactlyOnceSource: settings.exactlyOnceSourceSupport === 'enabled',
      groupId: settings.group?.groupId ?? defaultConnectGroupId,
      offsetsTopic: topics.offsets.name,
      isStopping: () => this.stopping,
      log: this.log,
    }
    this.assignment = settings.group === undefined ? null : new WorkAssignment()
    this.member =
      settings.group === undefined
        ? null
        : new WorkerGroupMember(
            {
              ...settings.group,
              bootstrap: settings.bootstrap,
              clientId: this.client.clientId,
              log: this.log,
              ...(settings.metricsWindow === undefined ? {} : { metricsWindow: settings.metricsWindow }),
            },
            {
              configOffset: () => this.configs.lastOffset(),
              readConfigToEnd: () => this.configs.readToEnd(),
              configuredWork: () => this.configuredWork(),
              currentAllocation: () => this.assignment?.allocation() ?? { connectors: [], tasks: [] },
              onRevoked: (revoked) => this.onRevoked(revoked),
              onAssigned: (assignment, options) => this.onAssigned(assignment, options),
            },
          )
    this.leaderWrites = new LeaderWrites({
      configs: this.configs,
      member: this.member,
      isSource: (name) => this.connectorType(name) === 'source',
      fenceProducers: (name, count) => this.fenceProducersOf(name, count),
      schedule: (name) => this.schedule(name),
      log: this.log,
    })
  }

  async start(): Promise<void> {
    const startedMs = Date.now()
    // Plugins first: stored connectors of plugin.path classes must find their class on replay.
    if ((this.settings.pluginPath ?? []).length > 0) {
      const loaded = await loadPluginPath(this.settings.pluginPath ?? [], this.log)
      registerConnectorPlugins(loaded.plugins)
      this.pluginFailures = loaded.failures
    }
    await Promise.all([
      this.configs.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-configs read')),
      this.offsets.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-offsets read')),
      this.status.start().then(() => this.log.debug({ ms: Date.now() - startedMs }, 'connect-status read')),
    ])
    this.configs.listener = {
      onConnectorChanged: (name) => {
        this.schedule(name)
        this.rebalanceIfWorkChanged()
      },
      onRestartRequest: (name, request) => this.enqueue(name, () => this.restartOwned(name, request)),
    }
    for (const name of this.configs.connectorConfigs.keys()) this.schedule(name)
    this.member?.start()
  }

  private owns(name: string): boolean {
    return this.assignment === null || this.assignment.ownsConnector(name)
  }

  private ownsTask(name: string, task: number): boolean {
    return this.assignment === null || this.assignment.ownsTask(name, task)
  }

  /** Every connector and task connect-configs holds (what the leader assigns). */
  private configuredWork(): ConfiguredWork {
    const connectors = [...this.configs.connectorConfigs.keys()].sort()
    const tasks = connectors.flatMap((connector) =>
      (this.configs.taskConfigs.get(connector) ?? []).map((_, task) => ({ connector, task })),
    )
    this.assignedWork = JSON.stringify(tasks.length === 0 ? connectors : [connectors, tasks])
    return { connectors, tasks }
  }

  /** The leader asks for a rebalance when a connector or task appeared or went (Kafka does on config updates). */
  private rebalanceIfWorkChanged(): void {
    if (this.member === null || !this.member.isLeader || this.member.leaderUrl === null) return
    const before = this.assignedWork
    this.configuredWork()
    const after = this.assignedWork
    this.assignedWork = before
    if (before !== after) this.member.requestRejoin()
  }

  private async onAssigned(
    assignment: ConnectAssignment,
    options: { incremental: boolean; generation: number },
  ): Promise<void> {
    if (assignment.configOffset > this.configs.lastOffset()) await this.configs.readToEnd()
    this.generation = options.generation
    const affected = this.assignment?.apply(assignment, options) ?? new Set<string>()
    for (const name of affected) this.schedule(name)
    await this.settled()
  }

  private async onRevoked(revoked: Allocation): Promise<void> {
    for (const name of this.assignment?.revoke(revoked) ?? []) this.schedule(name)
    await this.settled()
  }

  /** Waits until every reconcile queued so far has run (tests and REST answers that need it). */
  async settled(): Promise<void> {
    await Promise.all([...this.queues.values()])
  }

  schedule(name: string): void {
    this.enqueue(name, () => this.reconcile(name))
  }

  private enqueue(name: string, action: () => Promise<void>): void {
    if (this.stopping) return
    const next = (this.queues.get(name) ?? Promise.resolve())
      .then(() => (this.stopping ? undefined : action()))
      .catch((error: unknown) =>
        this.log.error({ err: error, connector: name }, 'reconciling a connector failed'),
      )
    this.queues.set(name, next)
  }

  private async reconcile(name: string): Promise<void> {
    const config = this.configs.connectorConfigs.get(name)
    const target: TargetState = this.configs.targetStates.get(name) ?? 'STARTED'
    let current = this.connectors.get(name)
    if (
      current !== undefined &&
      (config === undefined ||
        !sameProperties(current.config, config) ||
        target === 'STOPPED' ||
        !this.owns(name))
    ) {
      await this.stopConnector(name, current)
      current = undefined
    }
    if (config === undefined || target === 'STOPPED') {
      await this.stopTasks(name, () => true)
      if (config !== undefined && this.owns(name)) {
        await this.putConnectorStatus(name, 'STOPPED', null)
        if ((this.configs.taskConfigs.get(name) ?? []).length > 0)
          await this.leaderWrites.submitTaskConfigs(name, [])
        await this.status.removeTasksFrom(name, 0)
      }
      return
    }
    if (this.owns(name)) {
      if (current === undefined) current = await this.startConnector(name, config)
      if (!current.failed) {
        const tasksMax = Number(config['tasks.max'] ?? '1')
        const desired = current.connector.taskConfigs(tasksMax)
        if (!sameTaskConfigs(desired, this.configs.taskConfigs.get(name) ?? [])) {
          // Written by the leader; comes back as a commit record: reconcile again.
          await this.leaderWrites.submitTaskConfigs(name, desired)
          return
        }
      }
    }
    if (this.awaitsFencing(name, config) && this.ownsAnyTask(name)) {
      await this.stopTasks(name, () => true) // ours commit what they hold before they are fenced
      // Kafka's preflight fencing: the leader fences, then writes the task count record, which comes
      // back here: reconcile again.
      await this.leaderWrites.requestFencing(name)
      return
    }
    await this.reconcileTasks(name, config, target)
    if (current !== undefined && !current.failed)
      await this.putConnectorStatus(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING', null)
  }

  private async startConnector(name: string, config: Properties): Promise<RunningConnector> {
    const plugin = findConnector(config['connector.class'] ?? '')
    if (plugin === null)
      throw new Error(`connector ${name}: unknown connector.class ${config['connector.class']}`)
    const connector = plugin.create()
    const running: RunningConnector = { config, connector, failed: false }
    this.connectors.set(name, running)
    this.metrics.connectorStartupAttemptsTotal++
    try {
      await connector.start(config, {
        requestTaskReconfiguration: () => this.schedule(name),
        raiseError: (error) => {
          running.failed = true
          this.putConnectorStatus(name, 'FAILED', traceOf(error)).catch(() => undefined)
        },
      })
      await this.putConnectorStatus(name, 'RUNNING', null)
      this.metrics.connectorStarted(true)
    } catch (error) {
      this.metrics.connectorStarted(false)
      running.failed = true
      this.log.error({ err: error, connector: name }, 'connector failed to start')
      await this.putConnectorStatus(name, 'FAILED', traceOf(error))
    }
    return running
  }

  /** Stops the tasks of `name` that `which` selects (they commit what they can first). */
  private async stopTasks(
    name: string,
    which: (index: number, running: RunningTask) => boolean,
  ): Promise<void> {
    const running = this.tasks.get(name)
    if (running === undefined) return
    const stopping = [...running].filter(([index, entry]) => which(index, entry))
    for (const [index] of stopping) running.delete(index)
    await Promise.all(stopping.map(([, entry]) => entry.task.stop()))
    if (running.size === 0) this.tasks.delete(name)
  }

  private async reconcileTasks(
    name: string,
    connectorConfig: Properties,
    target: TargetState,
  ): Promise<void> {
    const configs = this.configs.taskConfigs.get(name) ?? []
    await this.stopTasks(
      name,
      (index, running) =>
        index >= configs.length ||
        !sameProperties(running.config, configs[index]) ||
        !sameProperties(running.connectorConfig, connectorConfig) ||
        !this.ownsTask(name, index),
    )
    if (this.owns(name) && configs.length < (this.status.tasks.get(name)?.size ?? 0))
      await this.status.removeTasksFrom(name, configs.length)
    const running = this.tasks.get(name) ?? new Map<number, RunningTask>()
    this.tasks.set(name, running)
    const fenced = !this.awaitsFencing(name, connectorConfig)
    for (let index = 0; index < configs.length; index++) {
      if (running.has(index) || !this.ownsTask(name, index) || !fenced) continue
      const metrics = new TaskMetrics({ window: this.metrics.window })
      this.metrics.taskStartupAttemptsTotal++
      try {
        const plugin = findConnector(connectorConfig['connector.class'] ?? '')
        if (plugin === null) throw new Error(`unknown connector.class ${connectorConfig['connector.class']}`)
        const connector = plugin.create()
        const task = buildWorkerTask(this.taskContext, {
          id: { connector: name, task: index },
          connector,
          sourceOffsets:
            connector.type === 'source' ? await this.sourceOffsetsFor(connectorConfig) : undefined,
          connectorConfig,
          taskConfig: configs[index],
          paused: target === 'PAUSED',
          metrics,
        })
        running.set(index, { connectorConfig, config: configs[index], task, metrics })
        this.metrics.taskStarted(true)
      } catch (error) {
        this.metrics.taskStarted(false)
        // A transform or converter its options refuse: the task is FAILED with the reason, as Kafka's.
        await this.status.putTask(name, index, {
          state: 'FAILED',
          trace: traceOf(error),
          workerId: this.settings.workerId,
          generation: this.generation,
        })
      }
    }
    if (running.size === 0) this.tasks.delete(name)
    for (const entry of running.values()) {
      if (target === 'PAUSED') entry.task.pause()
      else entry.task.resume()
    }
  }

  /**
   * KIP-618: the tasks of an exactly-once source connector start only after the producers of all its
   * earlier tasks were fenced, which the task count record (`tasks-fencing-<name>`) for the current
   * number of tasks says. A task whose id remains fences its own predecessor when it starts; fencing
   * matters when the count shrinks: nothing else would ever fence the ids that are gone.
   */
  private awaitsFencing(name: string, connectorConfig: Properties): boolean {
    if (!this.taskContext.exactlyOnceSource) return false
    if (findConnector(connectorConfig['connector.class'] ?? '')?.create().type !== 'source') return false
    return this.configs.taskCountRecords.get(name) !== (this.configs.taskConfigs.get(name) ?? []).length
  }

  /** Does this worker run (or is it assigned) any task of `name`? */
  private ownsAnyTask(name: string): boolean {
    const count = (this.configs.taskConfigs.get(name) ?? []).length
    for (let task = 0; task < count; task++) if (this.ownsTask(name, task)) return true
    return false
  }

  /** The leader's fencing of every earlier task's transactional id of `name` (Kafka's fenceZombies). */
  private async fenceProducersOf(name: string, count: number): Promise<void> {
    const covered = Math.max(
      count,
      this.configs.taskCountRecords.get(name) ?? 0,
      this.configs.highestTaskCounts.get(name) ?? 0,
    )
    const ids = Array.from({ length: covered }, (_, task) => `${this.taskContext.groupId}-${name}-${task}`)
    this.log.info({ connector: name, transactionalIds: ids }, 'fencing the producers of earlier tasks')
    await fenceProducers({ ...this.client, transactionTimeoutMs: 60_000 }, ids)
  }

  /**
   * A source connector's offsets: connect-offsets, or (KIP-618's `offsets.storage.topic`) its own topic —
   * created compacted like connect-offsets, read once per worker — with connect-offsets as the fallback.
   */
  async sourceOffsetsFor(connectorConfig: Properties): Promise<SourceOffsets> {
    const global = this.taskContext.offsetsTopic
    const topic = (connectorConfig['offsets.storage.topic'] ?? '').trim()
    if (topic === '' || topic === global) return globalOffsets(this.offsets, global)
    let store = this.connectorOffsetStores.get(topic)
    if (store === undefined) {
      const { offsets } = stateTopics({ ...this.settings.topics, offsets: topic })
      const created = new OffsetStore(this.client, offsets, this.log)
      store = created.start().then(() => created)
      this.connectorOffsetStores.set(topic, store)
      store.catch(() => this.connectorOffsetStores.delete(topic))
    }
    return connectorOffsets(await store, topic, this.offsets)
  }

  private async stopConnector(name: string, current: RunningConnector): Promise<void> {
    this.connectors.delete(name)
    try {
      await current.connector.stop()
    } catch (error) {
      this.log.warn({ err: error, connector: name }, 'stopping a connector failed')
    }
  }

  private async putConnectorStatus(name: string, state: State, trace: string | null): Promise<void> {
    await this.status.putConnector(name, {
      state,
      trace,
      workerId: this.settings.workerId,
      generation: this.generation,
    })
  }

  /**
   * A `restart-connector-<name>` record (POST /connectors/{name}/restart, KIP-745): each worker restarts
   * what it owns of that connector — the instance and/or its tasks, all or only the failed ones.
   */
  private async restartOwned(name: string, request: RestartRequest): Promise<void> {
    const current = this.connectors.get(name)
    const restartConnector = current !== undefined && (!request.onlyFailed || current.failed)
    if (restartConnector) await this.putConnectorStatus(name, 'RESTARTING', null)
    if (request.includeTasks) {
      const restarting = [...(this.tasks.get(name) ?? [])].filter(
        ([, running]) => !request.onlyFailed || running.task.failed,
      )
      for (const [index] of restarting)
        this.status.applyRecord(`status-task-${name}-${index}`, {
          state: 'RESTARTING',
          worker_id: this.settings.workerId,
          trace: null,
          generation: this.generation,
        })
      const indexes = new Set(restarting.map(([index]) => index))
      await this.stopTasks(name, (index) => indexes.has(index))
    }
    if (restartConnector && current !== undefined) await this.stopConnector(name, current)
    await this.reconcile(name)
  }

  /** POST /connectors/{name}/tasks/{id}/restart, on the worker that runs the task. */
  async restartTask(name: string, index: number): Promise<void> {
    await this.queues.get(name)
    await this.stopTasks(name, (task) => task === index)
    this.schedule(name)
    await this.queues.get(name)
  }

  /** Does this worker run task `index` of `name` (always, alone)? */
  runsTask(name: string, index: number): boolean {
    return this.ownsTask(name, index)
  }

  taskMetrics(): TaskMetricsEntry[] {
    const out: TaskMetricsEntry[] = []
    for (const [name, running] of this.tasks) {
      const type = this.connectorType(name)
      if (type === null) continue
      for (const [task, entry] of running) out.push({ connector: name, task, type, metrics: entry.metrics })
    }
    return out
  }

  connectorMetrics(): ConnectorMetricsEntry[] {
    const out: ConnectorMetricsEntry[] = []
    for (const [name, running] of this.connectors) {
      const className = running.config['connector.class'] ?? ''
      out.push({
        connector: name,
        className: findConnector(className)?.className ?? className,
        type: running.connector.type,
        version: running.connector.version(),
        status: (this.status.connectors.get(name)?.state ?? 'UNASSIGNED').toLowerCase(),
        taskStates: [...(this.status.tasks.get(name)?.values() ?? [])].map((task) =>
          task.state.toLowerCase(),
        ),
      })
    }
    return out
  }

  /** connect-worker-rebalance-metrics, or null for a worker alone (Kafka has them in distributed mode only). */
  rebalanceMetrics(): RebalanceSnapshot | null {
    return this.member?.rebalanceMetrics.snapshot(Date.now()) ?? null
  }

  connectorCount(): number {
    return this.connectors.size
  }

  taskCount(): number {
    let count = 0
    for (const running of this.tasks.values()) count += running.size
    return count
  }

  /** Committed offsets of a sink connector's group, for GET /connectors/{name}/offsets. */
  newReader(): KafkaReader {
    return new KafkaReader({ ...this.client, clientId: `${this.client.clientId}-admin` })
  }

  /** What connector config validation checks against this worker. */
  validationContext(): WorkerValidationContext {
    return { exactlyOnceSourceEnabled: this.settings.exactlyOnceSourceSupport === 'enabled' }
  }

  connectorType(name: string): 'source' | 'sink' | null {
    const className = this.configs.connectorConfigs.get(name)?.['connector.class']
    return className === undefined ? null : (findConnector(className)?.create().type ?? null)
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.leaderWrites.stop()
    await Promise.allSettled([...this.queues.values()])
    await Promise.all([...this.connectors].map(([name, current]) => this.stopConnector(name, current)))
    await Promise.all([...this.tasks.keys()].map((name) => this.stopTasks(name, () => true)))
    // Kafka's order: stop the work, then leave the group so the others take it over.
    await this.member?.stop()
    await Promise.allSettled([
      this.configs.stop(),
      this.offsets.stop(),
      this.status.stop(),
      this.writer.close(),
      ...[...this.connectorOffsetStores.values()].map((store) => store.then((opened) => opened.stop())),
    ])
  }
}
