// Effective compatibility level and mode of a subject: its own, else the global one, else the default
// (BACKWARD, READWRITE), as Confluent resolves them.

import { type CompatibilityLevel, defaultCompatibilityLevel, isCompatibilityLevel } from './compatibility.ts'
import { operationNotPermitted } from './errors.ts'
import { globalScope, type RegistryState } from './store/state.ts'

export const modes = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const
export type Mode = (typeof modes)[number]

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (modes as readonly string[]).includes(value)
}

export function compatibilityOf(state: RegistryState, subject: string | null): CompatibilityLevel {
  const own = subject === null ? undefined : state.configs.get(subject)?.compatibilityLevel
  if (isCompatibilityLevel(own)) return own
  const global = state.configs.get(globalScope)?.compatibilityLevel
  return isCompatibilityLevel(global) ? global : defaultCompatibilityLevel
}

export function modeOf(state: RegistryState, subject: string | null): Mode {
  const own = subject === null ? undefined : state.modes.get(subject)
  if (isMode(own)) return own
  const global = state.modes.get(globalScope)
  return isMode(global) ? global : 'READWRITE'
}

/** Throws 42205 unless the subject may be written (not READONLY / READONLY_OVERRIDE). */
export function checkWritable(state: RegistryState, subject: string): void {
  const mode = modeOf(state, subject)
  if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
    throw operationNotPermitted(`Subject ${subject} is in read-only mode`)
}
