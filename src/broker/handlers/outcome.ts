// Turning what storage throws into a Kafka error code at the level of the response that carries it
// (Kafka's ApiError.fromThrowable). A KafkaError or a StorageError (KAFKA_STORAGE_ERROR) becomes a
// value; anything else is a programmer error and goes on to the router's one catch.

import { StreamlineError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'

/** An error code with Kafka's optional message, as admin responses carry them. */
export interface Outcome {
  errorCode: number
  errorMessage: string | null
}

export const success: Outcome = { errorCode: ErrorCode.NONE, errorMessage: null }

export function failure(errorCode: number, errorMessage: string | null = null): Outcome {
  return { errorCode, errorMessage }
}

/** The outcome of an error thrown by storage; rethrows errors that carry no Kafka error code. */
export function outcomeOf(error: unknown): Outcome {
  if (error instanceof StreamlineError && error.errorCode !== undefined) {
    return { errorCode: error.errorCode, errorMessage: error.message }
  }
  throw error
}

/** Runs a storage operation and reports its outcome instead of throwing Kafka outcomes. */
export async function attempt(operation: () => Promise<unknown>): Promise<Outcome> {
  try {
    await operation()
    return success
  } catch (error) {
    return outcomeOf(error)
  }
}
