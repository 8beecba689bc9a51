// Kafka Connect's task-error-metrics for one task (Kafka's ErrorHandlingMetrics), counted by the
// ErrorHandler (error-handling.ts) and read by /metrics. All are totals over the task's life (Kafka's
// CumulativeSum), with Kafka's meanings:
// - a failure is one failed attempt of an operation (a converter, a transform): an operation retried
//   twice after RetriableExceptions and then given up on counts three failures and two retries;
// - an error is an operation that finally failed (retries exhausted, or not retriable), whether the
//   record was then skipped (errors.tolerance=all) or the task failed (none); last-error-timestamp is
//   its wall-clock time in epoch milliseconds (0 before the first);
// - errors-logged counts reports written to the log (errors.log.enable), the dead-letter queue
//   counters the records sent to it (requests) and the sends that failed (failures).

export class TaskErrorMetrics {
  /** total-record-failures: failed attempts, retried or not. */
  recordFailures = 0
  /** total-record-errors: operations that finally failed. */
  recordErrors = 0
  /** total-records-skipped: records errors.tolerance=all let the task skip. */
  recordsSkipped = 0
  /** total-retries: attempts made again after a RetriableException. */
  retries = 0
  /** total-errors-logged: errors written to the log (errors.log.enable). */
  errorsLogged = 0
  /** deadletterqueue-produce-requests: records sent to the dead-letter queue. */
  deadLetterQueueProduceRequests = 0
  /** deadletterqueue-produce-failures: of those, the sends that failed. */
  deadLetterQueueProduceFailures = 0
  /** last-error-timestamp: epoch ms of the last error (0 before the first). */
  lastErrorTimestamp = 0

  constructor(private readonly clock: () => number = Date.now) {}

  /** An operation finally failed (Kafka's markAsFailed and recordError, one moment here). */
  recordError(): void {
    this.recordErrors++
    this.lastErrorTimestamp = this.clock()
  }
}
