// The CLI's two failure kinds and their exit codes: 1 = the operation failed (a Kafka error name and
// message, one line), 2 = the command line itself is wrong (usage). Everything a command throws ends
// in main.ts, which prints `error: <message>` and exits with the code.
import { StreamlineError } from '../../errors.ts'

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const

/** The operation failed: the broker refused it, could not be reached, or the data was wrong. */
export class CliFailure extends StreamlineError {
  readonly exitCode: number = exitCodes.failed
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SL_ERR_CLI', message, options)
  }
}

/** A wrong command line: an unknown option value, a missing argument, two options that conflict. */
export class UsageError extends CliFailure {
  override readonly exitCode: number = exitCodes.usage
}

interface PlatformaticErrorShape {
  code?: unknown
  apiId?: unknown
  message?: unknown
  serverErrorMessage?: unknown
  errors?: unknown
  cause?: unknown
}

/** The first Kafka protocol error inside a client error (they nest: MultipleErrors → ResponseError → ProtocolError). */
function findProtocolError(error: unknown, depth = 0): PlatformaticErrorShape | null {
  if (typeof error !== 'object' || error === null || depth > 6) return null
  const shape = error as PlatformaticErrorShape
  if (typeof shape.apiId === 'string') return shape
  const nested = Array.isArray(shape.errors) ? shape.errors : []
  for (const inner of [...nested, shape.cause]) {
    const found = findProtocolError(inner, depth + 1)
    if (found !== null) return found
  }
  return null
}

function findNetworkCause(error: unknown, depth = 0): string | null {
  if (typeof error !== 'object' || error === null || depth > 6) return null
  const shape = error as PlatformaticErrorShape & { syscall?: unknown; address?: unknown }
  if (typeof shape.code === 'string' && /^E[A-Z]+$/.test(shape.code)) return `${shape.code}`
  const nested = Array.isArray(shape.errors) ? shape.errors : []
  for (const inner of [shape.cause, ...nested]) {
    const found = findNetworkCause(inner, depth + 1)
    if (found !== null) return found
  }
  return null
}

/** One line for any error: `UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition.` */
export function describeError(error: unknown): string {
  if (error instanceof CliFailure) return error.message
  const protocolError = findProtocolError(error)
  if (protocolError !== null) {
    const detail =
      typeof protocolError.serverErrorMessage === 'string' && protocolError.serverErrorMessage !== ''
        ? protocolError.serverErrorMessage
        : String(protocolError.message)
    return `${String(protocolError.apiId)}: ${detail}`
  }
  const code = (error as PlatformaticErrorShape | null)?.code
  if (code === 'PLT_KFK_AUTHENTICATION') {
    return `SASL_AUTHENTICATION_FAILED: ${String((error as Error).message)}`
  }
  const networkCause = findNetworkCause(error)
  const message = error instanceof Error ? error.message : String(error)
  return networkCause === null ? message : `${message} (${networkCause})`
}

export function exitCodeOf(error: unknown): number {
  return error instanceof CliFailure ? error.exitCode : exitCodes.failed
}
