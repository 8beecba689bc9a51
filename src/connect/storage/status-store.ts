// KafkaStatusBackingStore: connector and task states in `connect-status`, in Kafka Connect's format:
//   status-connector-<name>    {"state": "RUNNING", "trace": null, "worker_id": "host:port", "generation": 0}
//   status-task-<name>-<n>     the same
//   status-topic-<topic>:connector-<name>  {"topic": {"name", "connector", "task", "discoverTimestamp"}}
// A tombstone removes the entry (a deleted connector).

import type { Logger } from '../../log.ts'
import { KafkaBasedLog, type StateTopic } from './kafka-based-log.ts'
import type { KafkaClientOptions } from './kafka-client.ts'
import { jsonBytes, parseJson } from './state-topics.ts'

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING'

export interface Status {
  state: State
  trace: string | null
  workerId: string
  generation: number
}

export class StatusStore {
  readonly connectors = new Map<string, Status>()
  /** connector → task index → status */
  readonly tasks = new Map<string, Map<number, Status>>()
  /** connector → topics it used */
  readonly topics = new Map<string, Set<string>>()
  private readonly log: KafkaBasedLog

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

  applyRecord(key: string, value: unknown): void {
    const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
    if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length)
      if (object === null) this.connectors.delete(name)
      else this.connectors.set(name, statusOf(object))
    } else if (key.startsWith('status-task-')) {
      const match = /^status-task-(.+)-(\d+)$/.exec(key)
      if (match === null) return
      const [, name, index] = match
      const tasks = this.tasks.get(name) ?? new Map<number, Status>()
      if (object === null) tasks.delete(Number(index))
      else tasks.set(Number(index), statusOf(object))
      this.tasks.set(name, tasks)
    } else if (key.startsWith('status-topic-')) {
      const match = /^status-topic-(.+):connector-(.+)$/.exec(key)
      if (match === null) return
      const [, topic, name] = match
      const topics = this.topics.get(name) ?? new Set<string>()
      if (object === null) topics.delete(topic)
      else topics.add(topic)
      this.topics.set(name, topics)
    }
  }

  async putConnector(name: string, status: Status): Promise<void> {
    this.applyRecord(`status-connector-${name}`, statusJson(status))
    await this.log.send([
      { key: Buffer.from(`status-connector-${name}`), value: jsonBytes(statusJson(status)) },
    ])
  }

  async putTask(name: string, task: number, status: Status): Promise<void> {
    this.applyRecord(`status-task-${name}-${task}`, statusJson(status))
    await this.log.send([
      { key: Buffer.from(`status-task-${name}-${task}`), value: jsonBytes(statusJson(status)) },
    ])
  }

  async putTopic(name: string, topic: string, task: number): Promise<void> {
    if (this.topics.get(name)?.has(topic) === true) return
    const value = { topic: { name: topic, connector: name, task, discoverTimestamp: Date.now() } }
    this.applyRecord(`status-topic-${topic}:connector-${name}`, value)
    await this.log.send([
      { key: Buffer.from(`status-topic-${topic}:connector-${name}`), value: jsonBytes(value) },
    ])
  }

  /** Deletes the statuses of a removed connector (and of tasks above `keepTasks`). */
  async removeTasksFrom(name: string, keepTasks: number): Promise<void> {
    const tasks = [...(this.tasks.get(name)?.keys() ?? [])].filter((index) => index >= keepTasks)
    for (const index of tasks) this.applyRecord(`status-task-${name}-${index}`, null)
    await this.log.send(
      tasks.map((index) => ({ key: Buffer.from(`status-task-${name}-${index}`), value: null })),
    )
  }

  async removeConnector(name: string): Promise<void> {
    await this.removeTasksFrom(name, 0)
    await this.resetTopics(name)
    this.applyRecord(`status-connector-${name}`, null)
    await this.log.send([{ key: Buffer.from(`status-connector-${name}`), value: null }])
  }

  async resetTopics(name: string): Promise<void> {
    const topics = [...(this.topics.get(name) ?? [])]
    this.topics.delete(name)
    await this.log.send(
      topics.map((topic) => ({ key: Buffer.from(`status-topic-${topic}:connector-${name}`), value: null })),
    )
  }
}

function statusJson(status: Status): Record<string, unknown> {
  return {
    state: status.state,
    trace: status.trace,
    worker_id: status.workerId,
    generation: status.generation,
  }
}

function statusOf(object: Record<string, unknown>): Status {
  return {
    state: (typeof object.state === 'string' ? object.state : 'UNASSIGNED') as State,
    trace: typeof object.trace === 'string' ? object.trace : null,
    workerId: typeof object.worker_id === 'string' ? object.worker_id : '',
    generation: typeof object.generation === 'number' ? object.generation : 0,
  }
}
