// Builds a WorkerSourceTask or WorkerSinkTask for one task config: its converters, transforms, error
// handler, metrics and status reports (Kafka's Worker.buildWorkerTask). A task needs only its
// connector's config and plugin, not the connector instance, so it runs on whichever worker the group
// assigned it to.

import type { Logger } from '../../log.ts'
import { createConverter } from '../converters/index.ts'
import { ParsedConfig, type Properties } from '../sdk/config-def.ts'
import type { AnyConnector } from '../sdk/connector.ts'
import { globalOffsets, type SourceOffsets } from '../storage/connector-offset-store.ts'
import { GroupConsumer } from '../storage/group-consumer.ts'
import type { KafkaClientOptions, KafkaWriter } from '../storage/kafka-client.ts'
import type { OffsetStore } from '../storage/offset-store.ts'
import type { State, StatusStore } from '../storage/status-store.ts'
import { TransactionalWriter } from '../storage/transactional-writer.ts'
import { connectorConfigDef, sinkTopicsPattern } from './connector-config.ts'
import { ErrorHandler, errorHandlingSettings } from './error-handling.ts'
import { ExactlyOnceWorkerSourceTask, type TransactionBoundary } from './exactly-once-source-task.ts'
import type { TaskMetrics } from './task-metrics.ts'
import { TransformationChain } from './transformation-chain.ts'
import { WorkerSinkTask } from './worker-sink-task.ts'
import { WorkerSourceTask, type WorkerSourceTaskOptions } from './worker-source-task.ts'
import type { TaskId, WorkerTask } from './worker-task.ts'

/** transaction.timeout.ms of task producers (Kafka's producer default is 60 s). */
const transactionTimeoutMs = 60_000

export interface TaskFactoryContext {
  client: KafkaClientOptions
  writer: KafkaWriter
  offsets: OffsetStore
  status: StatusStore
  workerId: string
  generation: () => number
  offsetFlushIntervalMs: number
  /** The worker's exactly.once.source.support is `enabled`: source tasks run transactionally (KIP-618). */
  exactlyOnceSource: boolean
  /** Kafka's group.id: the prefix of each task's transactional.id. */
  groupId: string
  /** connect-offsets' name (exactly-once tasks write their offsets there in their transactions). */
  offsetsTopic: string
  isStopping: () => boolean
  log: Logger
}

export function buildWorkerTask(
  context: TaskFactoryContext,
  options: {
    id: TaskId
    connector: AnyConnector
    connectorConfig: Properties
    taskConfig: Properties
    paused: boolean
    metrics: TaskMetrics
    /** A source task's offsets (the connector's offsets.storage.topic); connect-offsets when absent. */
    sourceOffsets?: SourceOffsets
  },
): WorkerTask {
  const { id, connector, connectorConfig: config, taskConfig, metrics } = options
  const parsed = new ParsedConfig(connectorConfigDef(connector.type, []), config)
  const onStatus = (taskId: TaskId, state: State, trace: string | null): void => {
    metrics.changeState(state)
    context.status
      .putTask(taskId.connector, taskId.task, {
        state,
        trace,
        workerId: context.workerId,
        generation: context.generation(),
      })
      .catch((error: unknown) => context.log.warn({ err: error }, 'writing a task status failed'))
  }
  const onTopic = (topic: string): void => {
    context.status.putTopic(id.connector, topic, id.task).catch(() => undefined)
  }
  const common = {
    id,
    taskConfig,
    keyConverter: createConverter(config, { isKey: true }),
    valueConverter: createConverter(config, { isKey: false }),
    transforms: new TransformationChain(config),
    errors: new ErrorHandler(
      errorHandlingSettings(parsed),
      id,
      context.writer,
      context.log,
      context.isStopping,
      metrics.errors,
    ),
    offsetFlushIntervalMs: context.offsetFlushIntervalMs,
    onTopic,
    metrics,
    log: context.log,
    onStatus,
    paused: options.paused,
  }
  const task =
    connector.type === 'source'
      ? sourceTask(context, parsed, {
          ...common,
          task: connector.createTask(),
          writer: context.writer,
          offsets: options.sourceOffsets ?? globalOffsets(context.offsets, context.offsetsTopic),
        })
      : new WorkerSinkTask({
          ...common,
          task: connector.createTask(),
          // topics.regex (validated: exactly one of the two is set) is a pattern subscription.
          topics:
            parsed.string('topics.regex').trim() === ''
              ? parsed.list('topics')
              : sinkTopicsPattern(parsed.string('topics.regex').trim()),
          consumer: new GroupConsumer({
            ...context.client,
            clientId: `${context.client.clientId}-${id.connector}-${id.task}`,
            groupId: `connect-${id.connector}`,
          }),
          maxPollRecords: 500,
        })
  task.start()
  return task
}

/** A WorkerSourceTask, or its exactly-once form when the worker has exactly-once source enabled. */
function sourceTask(
  context: TaskFactoryContext,
  parsed: ParsedConfig,
  options: WorkerSourceTaskOptions,
): WorkerSourceTask {
  if (!context.exactlyOnceSource) return new WorkerSourceTask(options)
  const { id } = options
  const intervalMs = parsed.values.get('transaction.boundary.interval.ms')
  return new ExactlyOnceWorkerSourceTask(options, {
    writer: new TransactionalWriter({
      ...context.client,
      clientId: `${context.client.clientId}-${id.connector}-${id.task}`,
      transactionalId: `${context.groupId}-${id.connector}-${id.task}`,
      transactionTimeoutMs,
    }),
    boundary: parsed.string('transaction.boundary') as TransactionBoundary,
    intervalMs: typeof intervalMs === 'number' ? intervalMs : context.offsetFlushIntervalMs,
  })
}
