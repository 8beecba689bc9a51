// Errors of the admin REST API: JSON `{ "code": "…", "message": "…" }` with the right HTTP status.
// Kafka outcomes (KafkaError from the log manager) keep Kafka's error name as the code.

import type { FastifyError, FastifyInstance } from 'fastify'
import { KafkaError } from '../errors.ts'
import { ErrorCode, errorName } from '../protocol/generated/error-codes.ts'

/** An error the API answers with: status, stable code, message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ApiErrorBody {
  code: string
  message: string
}

const statusByKafkaCode = new Map<number, number>([
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 404],
  [ErrorCode.GROUP_ID_NOT_FOUND, 404],
  [ErrorCode.TOPIC_ALREADY_EXISTS, 409],
  [ErrorCode.NON_EMPTY_GROUP, 409],
  [ErrorCode.MESSAGE_TOO_LARGE, 413],
  [ErrorCode.RECORD_LIST_TOO_LARGE, 413],
  [ErrorCode.KAFKA_STORAGE_ERROR, 500],
  [ErrorCode.REQUEST_TIMED_OUT, 503],
])

/** A Kafka outcome as an API error: its name as code; 400 unless listed above. */
export function apiErrorOfKafka(error: KafkaError): ApiError {
  return new ApiError(
    statusByKafkaCode.get(error.errorCode) ?? 400,
    errorName(error.errorCode),
    error.message,
  )
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `${what} does not exist`)
}

export function invalidRequest(message: string): ApiError {
  return new ApiError(400, 'INVALID_REQUEST', message)
}

/** Every error leaves as JSON; validation errors of a route's schema are INVALID_REQUEST (400). */
export function installErrorHandler(
  app: FastifyInstance,
  log: { error(object: object, message: string): void },
): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` })
  })
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    let apiError: ApiError
    if (error instanceof ApiError) apiError = error
    else if (error instanceof KafkaError) apiError = apiErrorOfKafka(error)
    else if ('validation' in error && error.validation !== undefined) apiError = invalidRequest(error.message)
    else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      apiError = new ApiError(error.statusCode, error.code ?? 'INVALID_REQUEST', error.message)
    } else {
      log.error({ err: error, method: request.method, url: request.url }, 'http request failed')
      apiError = new ApiError(500, 'INTERNAL_ERROR', error.message)
    }
    const body: ApiErrorBody = { code: apiError.code, message: apiError.message }
    void reply.status(apiError.status).send(body)
  })
}
