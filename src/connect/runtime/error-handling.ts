// Kafka Connect's RetryWithToleranceOperator and error reporters: each stage of a record's way
// (converter, transform, put) runs through `execute`. A RetriableException is retried with exponential
// backoff (300 ms doubling, at most errors.retry.delay.max.ms) until errors.retry.timeout; then, or for
// any other error, errors.tolerance decides: `none` fails the task, `all` skips the record after
// reporting it (errors.log.enable → the log, errors.deadletterqueue.topic.name → the DLQ with the
// `__connect.errors.*` headers when errors.deadletterqueue.context.headers.enable). Failures, retries,
// errors, skips, log lines and DLQ sends are counted in the task's task-error-metrics as Kafka counts them.

import type { Logger } from '../../log.ts'
import type { ParsedConfig } from '../sdk/config-def.ts'
import { RetriableException } from '../sdk/connector.ts'
import type { KafkaWriter } from '../storage/kafka-client.ts'
import { isPromise } from './maybe-promise.ts'
import type { TaskErrorMetrics } from './task-error-metrics.ts'

export type Stage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'TASK_POLL'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME'

/** The record as consumed (sink) — what the DLQ receives, byte for byte. */
export interface ConsumedRecord {
  topic: string
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
}

export interface ErrorContext {
  stage: Stage
  className: string
  consumed?: ConsumedRecord
}

/** Thrown when an error is not tolerated: the task fails with it (the cause is the original error). */
export class ToleranceExceededError extends Error {
  override name = 'org.apache.kafka.connect.errors.ConnectException'
}

const initialBackoffMs = 300

export interface ErrorHandlingSettings {
  toleranceAll: boolean
  retryTimeoutMs: number
  retryDelayMaxMs: number
  logEnable: boolean
  logIncludeMessages: boolean
  dlqTopic: string
  dlqContextHeaders: boolean
}

export function errorHandlingSettings(config: ParsedConfig): ErrorHandlingSettings {
  return {
    toleranceAll: config.string('errors.tolerance') === 'all',
    retryTimeoutMs: config.number('errors.retry.timeout'),
    retryDelayMaxMs: config.number('errors.retry.delay.max.ms'),
    logEnable: config.boolean('errors.log.enable'),
    logIncludeMessages: config.boolean('errors.log.include.messages'),
    dlqTopic: config.values.has('errors.deadletterqueue.topic.name')
      ? config.string('errors.deadletterqueue.topic.name')
      : '',
    dlqContextHeaders: config.boolean('errors.deadletterqueue.context.headers.enable'),
  }
}

export const skipped: unique symbol = Symbol('skipped')

export class ErrorHandler {
  constructor(
    private readonly settings: ErrorHandlingSettings,
    private readonly task: { connector: string; task: number },
    private readonly dlq: KafkaWriter | null,
    private readonly log: Logger,
    private readonly isStopping: () => boolean,
    /** The task's task-error-metrics (counted as Kafka's RetryWithToleranceOperator counts them). */
    private readonly metrics: TaskErrorMetrics,
  ) {}

  /** Runs one stage: its result, `skipped` when the error is tolerated, or throws to fail the task. */
  async execute<T>(context: ErrorContext, operation: () => T | Promise<T>): Promise<T | typeof skipped> {
    const deadline =
      this.settings.retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + this.settings.retryTimeoutMs
    let backoffMs = initialBackoffMs
    for (;;) {
      try {
        return await operation()
      } catch (error) {
        this.metrics.recordFailures++
        const retriable = error instanceof RetriableException
        if (retriable && Date.now() < deadline && !this.isStopping()) {
          const waitMs = Math.min(backoffMs, this.settings.retryDelayMaxMs, deadline - Date.now())
          await new Promise((resolve) => setTimeout(resolve, waitMs))
          backoffMs *= 2
          this.metrics.retries++
          continue
        }
        this.metrics.recordError()
        await this.report(context, error)
        if (!this.settings.toleranceAll) {
          throw new ToleranceExceededError('Tolerance exceeded in error handler', { cause: error })
        }
        this.metrics.recordsSkipped++
        return skipped
      }
    }
  }

  /**
   * execute() without a microtask when the operation answers synchronously (StringConverter, most
   * transforms): its value as is. A throw or a promise goes on through execute() with that first
   * outcome replayed, so the operation is never called once more than execute() would call it.
   */
  run<T>(context: ErrorContext, operation: () => T | Promise<T>): T | Promise<T | typeof skipped> {
    let first: T | Promise<T>
    try {
      first = operation()
    } catch (error) {
      return this.continue(context, () => Promise.reject(error), operation)
    }
    if (!isPromise(first)) return first
    const pending = first
    return this.continue(context, () => pending, operation)
  }

  /**
   * The rest of run() for a caller that called the operation once itself and got a throw or a promise
   * (`first` answers that outcome): a per-record hot path then builds its context and closure only
   * when they are needed (the sink task's converters).
   */
  continue<T>(
    context: ErrorContext,
    first: () => Promise<T>,
    operation: () => T | Promise<T>,
  ): Promise<T | typeof skipped> {
    return this.execute(context, replayFirst(first, operation))
  }

  /** Reports an error the task tolerates or that a connector reports itself (KIP-610's errant records). */
  async report(context: ErrorContext, error: unknown): Promise<void> {
    if (this.settings.logEnable) {
      const consumed = context.consumed
      this.log.error(
        {
          err: error,
          connector: this.task.connector,
          task: this.task.task,
          ...(consumed !== undefined && this.settings.logIncludeMessages
            ? { key: consumed.key?.toString('utf8') ?? null, value: consumed.value?.toString('utf8') ?? null }
            : {}),
        },
        `Error encountered in task ${this.task.connector}-${this.task.task}. Executing stage '${context.stage}' with class '${context.className}'${
          consumed === undefined
            ? ''
            : `, where consumed record is {topic='${consumed.topic}', partition=${consumed.partition}, offset=${consumed.offset}}`
        }.`,
      )
      this.metrics.errorsLogged++
    }
    if (this.dlq !== null && this.settings.dlqTopic !== '' && context.consumed !== undefined)
      await this.sendToDeadLetterQueue(context, context.consumed, error)
  }

  private async sendToDeadLetterQueue(
    context: ErrorContext,
    consumed: ConsumedRecord,
    error: unknown,
  ): Promise<void> {
    const headers: Array<[string, Buffer | null]> = [...consumed.headers]
    if (this.settings.dlqContextHeaders) {
      const failure = error instanceof Error ? error : new Error(String(error))
      const add = (name: string, value: string | number): void => {
        headers.push([`__connect.errors.${name}`, Buffer.from(String(value))])
      }
      add('topic', consumed.topic)
      add('partition', consumed.partition)
      add('offset', consumed.offset)
      add('connector.name', this.task.connector)
      add('task.id', this.task.task)
      add('stage', context.stage)
      add('class.name', context.className)
      add('exception.class.name', failure.name)
      add('exception.message', failure.message)
      add('exception.stacktrace', failure.stack ?? `${failure.name}: ${failure.message}`)
    }
    this.metrics.deadLetterQueueProduceRequests++
    try {
      await this.dlq?.send([
        { topic: this.settings.dlqTopic, key: consumed.key, value: consumed.value, headers },
      ])
    } catch (sendError) {
      // Counted, then thrown as before: the task fails rather than lose the record quietly.
      this.metrics.deadLetterQueueProduceFailures++
      throw sendError
    }
  }
}

/** A Java-like stack trace of an error and its causes, as Kafka puts in a FAILED status's `trace`. */
export function traceOf(error: unknown): string {
  const lines: string[] = []
  let current: unknown = error
  let first = true
  while (current !== undefined && current !== null) {
    const failure = current instanceof Error ? current : new Error(String(current))
    const stack = failure.stack?.split('\n').slice(1).join('\n') ?? ''
    lines.push(
      `${first ? '' : 'Caused by: '}${failure.name}: ${failure.message}${stack === '' ? '' : `\n${stack}`}`,
    )
    first = false
    current = failure.cause
  }
  return lines.join('\n')
}

/** An operation whose first call answers `first` (an attempt already made) and later calls retry. */
function replayFirst<T>(first: () => Promise<T>, operation: () => T | Promise<T>): () => T | Promise<T> {
  let replayed = false
  return () => {
    if (replayed) return operation()
    replayed = true
    return first()
  }
}
