// Effective compatibility level and mode of a subject, as Confluent's lookup cache resolves them: the
// subject's own, else its context's level (the root `/config` / `/mode` for the default context,
// `/config/:.ctx:` for context `.ctx`), else the reserved context `.__GLOBAL`'s (`/config/:.__GLOBAL:`:
// defaults across every context), else the registry's default (BACKWARD, READWRITE). So the root
// `/config` is the default context's own level and does not reach subjects of other contexts.

import { type CompatibilityLevel, defaultCompatibilityLevel, isCompatibilityLevel } from './compatibility.ts'
import { operationNotPermitted } from './errors.ts'
import { contextOf, contextPrefixOf, defaultContext, globalContextScope } from './store/contexts.ts'
import { globalScope, type RegistryState } from './store/state.ts'

/** The scopes consulted for `subject` (null: the root `/config` / `/mode`), most specific first. */
function scopesOf(subject: string | null): string[] {
  if (subject === null || subject === globalScope) return [globalScope, globalContextScope]
  if (subject === globalContextScope) return [globalContextScope]
  const context = contextOf(subject)
  const contextScope = context === defaultContext ? globalScope : contextPrefixOf(context)
  return subject === contextScope
    ? [contextScope, globalContextScope]
    : [subject, contextScope, globalContextScope]
}

/** The stored config that applies to `subject` (its own or the first scope above it that has one). */
export function effectiveConfigOf(state: RegistryState, subject: string | null): Record<string, unknown> {
  for (const scope of scopesOf(subject)) {
    const stored = state.configs.get(scope)
    if (stored !== undefined && isCompatibilityLevel(stored.compatibilityLevel)) return stored
  }
  return { compatibilityLevel: defaultCompatibilityLevel }
}

export const modes = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const
export type Mode = (typeof modes)[number]

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (modes as readonly string[]).includes(value)
}

export function compatibilityOf(state: RegistryState, subject: string | null): CompatibilityLevel {
  for (const scope of scopesOf(subject)) {
    const level = state.configs.get(scope)?.compatibilityLevel
    if (isCompatibilityLevel(level)) return level
  }
  return defaultCompatibilityLevel
}

export function modeOf(state: RegistryState, subject: string | null): Mode {
  for (const scope of scopesOf(subject)) {
    const mode = state.modes.get(scope)
    if (isMode(mode)) return mode
  }
  return 'READWRITE'
}

/** Throws 42205 unless the subject may be written (not READONLY / READONLY_OVERRIDE). */
export function checkWritable(state: RegistryState, subject: string): void {
  const mode = modeOf(state, subject)
  if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
    throw operationNotPermitted(`Subject ${subject} is in read-only mode`)
}
