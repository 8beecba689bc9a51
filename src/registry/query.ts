// Query parameters as Confluent reads them: booleans "true"/"false" (anything else is false, as
// Jersey's @QueryParam boolean), integers, and versions ("latest", -1 or 1 … 2^31-1).

import { invalidVersion } from './errors.ts'

export function booleanParam(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name)
  if (value === null) return fallback
  return value.toLowerCase() === 'true'
}

export function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name)
  if (value === null || !/^-?\d{1,10}$/.test(value)) return fallback
  return Number(value)
}

/** A version path segment: a positive int32, or -1 / "latest" as -1. Throws 42202 otherwise. */
export function versionParam(text: string): number {
  if (text === 'latest' || text === '-1') return -1
  if (!/^\d{1,10}$/.test(text)) throw invalidVersion(text)
  const version = Number(text)
  if (version < 1 || version > 2 ** 31 - 1) throw invalidVersion(text)
  return version
}
