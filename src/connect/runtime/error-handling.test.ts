// Goal: the ErrorHandler's task-error-metrics count as Kafka's ErrorHandlingMetrics where the flows of
// the Connect tests cannot make them happen: a RetriableException retried until errors.retry.timeout
// (every attempt a failure, every attempt after the first a retry, one error, one skip), and a
// dead-letter queue send that fails (one request, one failure, the send's error thrown to fail the task).
// Method: the real ErrorHandler with a silent logger; the DLQ is a real KafkaWriter whose bootstrap
// address refuses connections (a port nothing listens on), so its send fails after its own retries.
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { createLogger } from '../../log.ts'
import { RetriableException } from '../sdk/connector.ts'
import { KafkaWriter } from '../storage/kafka-client.ts'
import { ErrorHandler, type ErrorHandlingSettings, skipped } from './error-handling.ts'
import { TaskErrorMetrics } from './task-error-metrics.ts'

const settings: ErrorHandlingSettings = {
  toleranceAll: true,
  retryTimeoutMs: 200,
  retryDelayMaxMs: 20,
  logEnable: true,
  logIncludeMessages: false,
  dlqTopic: '',
  dlqContextHeaders: false,
}

const task = { connector: 'errors', task: 0 }

test('a RetriableException until errors.retry.timeout: failures = retries + 1, one error, one skip', async () => {
  const metrics = new TaskErrorMetrics()
  const handler = new ErrorHandler(settings, task, null, createLogger('silent'), () => false, metrics)
  let calls = 0
  const answer = await handler.execute({ stage: 'TRANSFORMATION', className: 'Flaky' }, () => {
    calls++
    throw new RetriableException('not yet')
  })
  assert.equal(answer, skipped)
  assert.ok(calls >= 3, `attempts ${calls}`)
  assert.deepEqual(
    [
      metrics.recordFailures,
      metrics.retries,
      metrics.recordErrors,
      metrics.recordsSkipped,
      metrics.errorsLogged,
    ],
    [calls, calls - 1, 1, 1, 1],
  )
})

/** A local port with nothing listening on it (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

test('a dead-letter queue send that fails: one request, one failure, and the task fails with it', async () => {
  const metrics = new TaskErrorMetrics()
  const writer = new KafkaWriter({ bootstrap: [`127.0.0.1:${await closedPort()}`], clientId: 'dlq-failing' })
  const handler = new ErrorHandler(
    { ...settings, logEnable: false, dlqTopic: 'nowhere-dlq' },
    task,
    writer,
    createLogger('silent'),
    () => false,
    metrics,
  )
  const consumed = { topic: 'in', partition: 0, offset: 7, key: null, value: Buffer.from('x'), headers: [] }
  try {
    await assert.rejects(
      handler.execute({ stage: 'VALUE_CONVERTER', className: 'JsonConverter', consumed }, () => {
        throw new Error('not json')
      }),
    )
  } finally {
    await writer.close().catch(() => undefined)
  }
  assert.deepEqual(
    [
      metrics.recordFailures,
      metrics.recordErrors,
      metrics.deadLetterQueueProduceRequests,
      metrics.deadLetterQueueProduceFailures,
      metrics.recordsSkipped,
      metrics.errorsLogged,
    ],
    [1, 1, 1, 1, 0, 0],
  )
})
