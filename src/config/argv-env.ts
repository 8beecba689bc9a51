// Command-line flags and STREAMLINE_* environment variables as assignments (option, raw value, where it
// came from), given the list of options. Free of zod on purpose: the CLI's quick start (quick-load.ts)
// parses flags with the option table computed at build time, without loading the schema; sources.ts
// binds these to the schema's own option list for the full path.

import { ConfigError } from '../errors.ts'
import type { OptionLeaf } from './options.ts'

export interface Assignment {
  leaf: OptionLeaf
  value: unknown
  /** Where the value came from, for error messages: `flag --num-partitions`, `env STREAMLINE_…`. */
  source: string
}

/** Flags that are not options. */
export interface CommandFlags {
  help: boolean
  version: boolean
  generateConfig: boolean
  configFile: string | undefined
}

/** The option list indexed as flags and environment variables name them. */
export interface OptionIndex {
  byFlag: ReadonlyMap<string, OptionLeaf>
  byEnvName: ReadonlyMap<string, OptionLeaf>
}

export function indexOptions(leaves: readonly OptionLeaf[]): OptionIndex {
  return {
    byFlag: new Map(leaves.map((leaf) => [leaf.flag, leaf])),
    byEnvName: new Map(leaves.map((leaf) => [leaf.envName, leaf])),
  }
}

/** Text from env or flags (or a Kafka name's string value) as the option's type; left as it is when it
 * does not convert, so validation reports it with the value as given. */
export function coerce(leaf: OptionLeaf, value: unknown): unknown {
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (leaf.kind === 'integer' && /^-?\d+$/.test(text)) return Number(text)
  if (leaf.kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true'
  return value
}

const envPrefix = 'STREAMLINE_'
/** Environment variables with the prefix that are not options. */
const envNonOptions = new Set(['STREAMLINE_CONFIG'])

export function assignmentsFromEnv(env: NodeJS.ProcessEnv, index: OptionIndex): Assignment[] {
  const assignments: Assignment[] = []
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(envPrefix) || envNonOptions.has(name) || value === undefined) continue
    const leaf = index.byEnvName.get(name)
    if (leaf === undefined) {
      throw new ConfigError(name, 'unknown environment variable; streamline --help lists every option')
    }
    assignments.push({ leaf, value: coerce(leaf, value), source: `env ${name}` })
  }
  return assignments
}

/** Parses argv: option flags (`--x v`, `--x=v`, `--flag`, `--no-flag`) and the command flags. */
export function assignmentsFromArgs(
  argv: readonly string[],
  index: OptionIndex,
): { assignments: Assignment[]; command: CommandFlags } {
  const command: CommandFlags = { help: false, version: false, generateConfig: false, configFile: undefined }
  const assignments: Assignment[] = []
  for (let position = 0; position < argv.length; position += 1) {
    const argument = argv[position]
    const equals = argument.indexOf('=')
    const name = equals === -1 ? argument : argument.slice(0, equals)
    const inline = equals === -1 ? undefined : argument.slice(equals + 1)
    const takeValue = (): string => {
      if (inline !== undefined) return inline
      const next = argv[position + 1]
      if (next === undefined || next.startsWith('--')) throw new ConfigError(name, 'needs a value')
      position += 1
      return next
    }
    if (name === '-h' || name === '--help') command.help = true
    else if (name === '-v' || name === '--version') command.version = true
    else if (name === '--generate-config') command.generateConfig = true
    else if (name === '-c' || name === '--config') command.configFile = takeValue()
    else assignments.push(flagAssignment(name, takeValue, inline, index))
  }
  return { assignments, command }
}

function flagAssignment(
  name: string,
  takeValue: () => string,
  inline: string | undefined,
  index: OptionIndex,
): Assignment {
  if (!name.startsWith('--')) {
    throw new ConfigError(name, 'unexpected argument; streamline --help lists every flag')
  }
  const flag = name.slice(2)
  const leaf = index.byFlag.get(flag)
  const source = `flag ${name}`
  if (leaf !== undefined) {
    const value = leaf.kind === 'boolean' && inline === undefined ? 'true' : takeValue()
    return { leaf, value: coerce(leaf, value), source }
  }
  const negated = flag.startsWith('no-') ? index.byFlag.get(flag.slice(3)) : undefined
  if (negated?.kind === 'boolean' && inline === undefined) return { leaf: negated, value: false, source }
  throw new ConfigError(name, 'unknown flag; streamline --help lists every flag')
}
