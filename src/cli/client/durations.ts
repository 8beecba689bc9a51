// Parsers for option values that are durations, sizes and counts. Each throws a UsageError naming the
// option, so a bad value exits 2 with a message saying what was expected.
import { UsageError } from './errors.ts'

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/** `500ms`, `10s`, `5m`, `2h`, `1d`, `1w`; a bare number is milliseconds. */
export function parseDurationMs(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim())
  if (match === null) {
    throw new UsageError(`${option}: '${text}' is not a duration (examples: 500ms, 10s, 5m, 2h, 1d)`)
  }
  return Math.round(Number(match[1]) * unitMs[match[2] ?? 'ms'])
}

export function parseNonNegativeInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option}: '${text}' is not a non-negative integer`)
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new UsageError(`${option}: '${text}' is too large`)
  return value
}

export function parsePositiveInteger(text: string, option: string): number {
  const value = parseNonNegativeInteger(text, option)
  if (value === 0) throw new UsageError(`${option}: must be at least 1`)
  return value
}

/** A signed 64-bit integer (offsets, shifts). */
export function parseBigInt(text: string, option: string): bigint {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${option}: '${text}' is not an integer`)
  return BigInt(text)
}

/** `key=value`; the first `=` separates. */
export function parseKeyValue(text: string, option: string): [string, string] {
  const equals = text.indexOf('=')
  if (equals <= 0) throw new UsageError(`${option}: '${text}' is not key=value`)
  return [text.slice(0, equals), text.slice(equals + 1)]
}

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

export function oneOf<T extends string>(text: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T
  throw new UsageError(`${option}: '${text}' is not one of ${allowed.join(', ')}`)
}
