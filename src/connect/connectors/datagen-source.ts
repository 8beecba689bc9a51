// DatagenConnector (Confluent's kafka-connect-datagen class name and options): mock data from a
// quickstart schema (orders, users, pageviews) at a fixed rate. Options: kafka.topic, quickstart,
// max.interval (ms between records, Confluent's), records.per.second (Streamline's; overrides
// max.interval when > 0), iterations (records per task, -1: no end), random.seed. Source partition
// {"task.id": n}, offset {"current.iteration": i}: a restart continues after the last committed record.

import { atLeast, type ConfigDef, oneOf, ParsedConfig, type Properties } from '../sdk/config-def.ts'
import type { SourceConnector, SourceTask, SourceTaskContext } from '../sdk/connector.ts'
import { type SourceRecord, sourceRecord } from '../sdk/records.ts'
import { type Quickstart, quickstarts, seededRandom } from './datagen-quickstarts.ts'
import { connectVersion } from './version.ts'

const definition: ConfigDef = [
  { name: 'kafka.topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic to write to' },
  {
    name: 'quickstart',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Name of the quickstart schema: orders, users or pageviews',
    validate: oneOf(...Object.keys(quickstarts)),
    recommendedValues: Object.keys(quickstarts),
  },
  {
    name: 'max.interval',
    type: 'LONG',
    defaultValue: 500,
    importance: 'LOW',
    documentation: 'Milliseconds between records',
    validate: atLeast(0),
  },
  {
    name: 'records.per.second',
    type: 'DOUBLE',
    defaultValue: 0,
    importance: 'LOW',
    documentation: 'Records per second per task (0: use max.interval)',
    validate: atLeast(0),
  },
  {
    name: 'iterations',
    type: 'LONG',
    defaultValue: -1,
    importance: 'LOW',
    documentation: 'Records each task generates; -1 for no end',
  },
  {
    name: 'random.seed',
    type: 'LONG',
    defaultValue: 0,
    importance: 'LOW',
    documentation: 'Seed of the value generator',
  },
]

const batchMax = 500

export class DatagenConnector implements SourceConnector {
  readonly type = 'source'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config(): ConfigDef {
    return definition
  }
  start(properties: Properties): void {
    new ParsedConfig(definition, properties)
    this.properties = properties
  }
  taskConfigs(maxTasks: number): Properties[] {
    return Array.from({ length: maxTasks }, (_, index) => ({ ...this.properties, 'task.id': String(index) }))
  }
  stop(): void {}
  createTask(): SourceTask {
    return new DatagenTask()
  }
}

export class DatagenTask implements SourceTask {
  private topic = ''
  private quickstart: Quickstart = quickstarts.orders
  private intervalMs = 500
  private iterations = -1
  private seed = 0
  private taskId = 0
  private iteration = 0
  private nextDueMs = Date.now()
  private stopped = false

  start(properties: Properties, context: SourceTaskContext): void {
    const config = new ParsedConfig(definition, properties)
    this.topic = config.string('kafka.topic')
    this.quickstart = quickstarts[config.string('quickstart')]
    const rate = config.number('records.per.second')
    this.intervalMs = rate > 0 ? 1000 / rate : config.number('max.interval')
    this.iterations = config.number('iterations')
    this.seed = config.number('random.seed')
    this.taskId = Number(properties['task.id'] ?? '0')
    const stored = context.offsetStorageReader.offset({ 'task.id': this.taskId })
    if (typeof stored?.['current.iteration'] === 'number') this.iteration = stored['current.iteration'] + 1
    this.nextDueMs = Date.now()
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.iterations >= 0 && this.iteration >= this.iterations) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return null
    }
    const waitMs = this.nextDueMs - Date.now()
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 200)))
    // Behind schedule (a slow poll, a pause, a busy machine): the schedule restarts from now rather
    // than bursting to catch up, so records.per.second is never exceeded.
    if (Date.now() - this.nextDueMs > this.intervalMs) this.nextDueMs = Date.now()
    const records: SourceRecord[] = []
    while (!this.stopped && records.length < batchMax && Date.now() >= this.nextDueMs) {
      if (this.iterations >= 0 && this.iteration >= this.iterations) break
      records.push(this.record(this.iteration))
      this.iteration++
      this.nextDueMs += this.intervalMs
    }
    return records
  }

  private record(iteration: number): SourceRecord {
    const value = this.quickstart.generate(
      iteration,
      seededRandom(this.seed * 1_000_003 + iteration * 31 + this.taskId),
    )
    const key = value[this.quickstart.keyField]
    return sourceRecord({
      topic: this.topic,
      keySchema: { type: 'string', optional: false },
      key: String(key),
      valueSchema: this.quickstart.schema,
      value,
      sourcePartition: { 'task.id': this.taskId },
      sourceOffset: { 'current.iteration': iteration },
    })
  }

  stop(): void {
    this.stopped = true
  }
}
