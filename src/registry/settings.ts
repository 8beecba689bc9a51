// Effective compatibility level and mode of a subject: its own, else (in a context other than the
// default) its context's (`/config/:.ctx:`, Confluent's context-level setting), else the global one,
// else the default (BACKWARD, READWRITE).

import { type CompatibilityLevel, defaultCompatibilityLevel, isCompatibilityLevel } from './compatibility.ts'
import { operationNotPermitted } from './errors.ts'
import { contextOf, contextPrefixOf, defaultContext } from './store/contexts.ts'
import { globalScope, type RegistryState } from './store/state.ts'

/** The subject's own scope, then its context's (outside the default context), then the global one. */
function scopesOf(subject: string | null): string[] {
  if (subject === null) return [globalScope]
  const context = contextOf(subject)
  if (context === defaultContext) return [subject, globalScope]
  const contextScope = contextPrefixOf(context)
  return subject === contextScope ? [subject, globalScope] : [subject, contextScope, globalScope]
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
