// Compatibility levels (Confluent's CompatibilityLevel) and how one is applied to a new schema and
// the versions before it: BACKWARD (new reads data of the latest), FORWARD (the latest reads data of
// new), FULL (both); *_TRANSITIVE against every earlier version instead of the latest; NONE skips.

import type { ParsedSchema } from './formats/types.ts'

export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const

export type CompatibilityLevel = (typeof compatibilityLevels)[number]

export const defaultCompatibilityLevel: CompatibilityLevel = 'BACKWARD'

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (compatibilityLevels as readonly string[]).includes(value)
}

/** Why `candidate` may not follow `previous` (oldest first) under `level`; empty: it may. */
export function compatibilityIssues(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly ParsedSchema[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return []
  const against = level.endsWith('_TRANSITIVE') ? [...previous].reverse() : [previous[previous.length - 1]]
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL')
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL')
  for (const old of against) {
    const issues = [
      ...(backward ? candidate.readerIssues(old) : []),
      ...(forward ? old.readerIssues(candidate) : []),
    ]
    if (issues.length > 0) return issues
  }
  return []
}
