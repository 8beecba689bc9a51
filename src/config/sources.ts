// Reading options from their three sources: the TOML file, STREAMLINE_* environment variables and
// command-line flags. Each yields assignments (option, raw value, where it came from); load.ts
// applies them in precedence order and validates the result with the schema.

import { parse as parseToml } from 'smol-toml'
import { ConfigError } from '../errors.ts'
import { kafkaAliases } from './kafka-names.ts'
import { type OptionLeaf, optionLeaves, optionsByTomlKey } from './options.ts'

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

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** Dotted keys of a parsed TOML document: `[topics] num_partitions` and `log.retention.hours = 1`
 * (a nested table in TOML) both come out as one dotted key. */
function flatten(table: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [name, value] of Object.entries(table)) {
    const key = prefix === '' ? name : `${prefix}.${name}`
    if (isTable(value) && !optionsByTomlKey.has(key) && !kafkaAliases.has(key)) flatten(value, key, out)
    else out.set(key, value)
  }
}

function aliasValue(kafkaName: string, value: unknown, source: string): unknown {
  const alias = kafkaAliases.get(kafkaName)
  if (alias?.singleEntryList && typeof value === 'string' && value.includes(',')) {
    throw new ConfigError(kafkaName, `${JSON.stringify(value)} (${source}): only one directory is supported`)
  }
  if (alias?.scale === undefined) return value
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
  return typeof number === 'number' && number >= 0 ? number * alias.scale : number
}

/** Assignments from a TOML document; `fileName` names it in messages. Unknown keys are refused. */
export function fromToml(text: string, fileName: string): Assignment[] {
  let document: Record<string, unknown>
  try {
    document = parseToml(text) as Record<string, unknown>
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigError(fileName, `not valid TOML: ${detail}`)
  }
  const flat = new Map<string, unknown>()
  flatten(document, '', flat)
  const assignments: Assignment[] = []
  for (const [key, raw] of flat) {
    const source = `${fileName}: ${key}`
    const own = optionsByTomlKey.get(key)
    if (own !== undefined) {
      assignments.push({ leaf: own, value: raw, source })
      continue
    }
    const alias = kafkaAliases.get(key)
    const leaf = alias === undefined ? undefined : optionsByTomlKey.get(alias.key)
    if (leaf === undefined) {
      throw new ConfigError(key, `unknown key in ${fileName}; streamline --generate-config lists every key`)
    }
    assignments.push({ leaf, value: coerce(leaf, aliasValue(key, raw, source)), source })
  }
  return assignments
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
const leavesByEnvName = new Map(optionLeaves.map((leaf) => [leaf.envName, leaf]))

export function fromEnv(env: NodeJS.ProcessEnv): Assignment[] {
  const assignments: Assignment[] = []
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(envPrefix) || envNonOptions.has(name) || value === undefined) continue
    const leaf = leavesByEnvName.get(name)
    if (leaf === undefined) {
      throw new ConfigError(name, 'unknown environment variable; streamline --help lists every option')
    }
    assignments.push({ leaf, value: coerce(leaf, value), source: `env ${name}` })
  }
  return assignments
}

const leavesByFlag = new Map(optionLeaves.map((leaf) => [leaf.flag, leaf]))

/** Parses argv: option flags (`--x v`, `--x=v`, `--flag`, `--no-flag`) and the command flags. */
export function fromArgs(argv: readonly string[]): { assignments: Assignment[]; command: CommandFlags } {
  const command: CommandFlags = { help: false, version: false, generateConfig: false, configFile: undefined }
  const assignments: Assignment[] = []
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]
    const equals = argument.indexOf('=')
    const name = equals === -1 ? argument : argument.slice(0, equals)
    const inline = equals === -1 ? undefined : argument.slice(equals + 1)
    const takeValue = (): string => {
      if (inline !== undefined) return inline
      const next = argv[index + 1]
      if (next === undefined || next.startsWith('--')) throw new ConfigError(name, 'needs a value')
      index += 1
      return next
    }
    if (name === '-h' || name === '--help') command.help = true
    else if (name === '-v' || name === '--version') command.version = true
    else if (name === '--generate-config') command.generateConfig = true
    else if (name === '-c' || name === '--config') command.configFile = takeValue()
    else assignments.push(flagAssignment(name, takeValue, inline))
  }
  return { assignments, command }
}

function flagAssignment(name: string, takeValue: () => string, inline: string | undefined): Assignment {
  if (!name.startsWith('--')) {
    throw new ConfigError(name, 'unexpected argument; streamline --help lists every flag')
  }
  const flag = name.slice(2)
  const leaf = leavesByFlag.get(flag)
  const source = `flag ${name}`
  if (leaf !== undefined) {
    const value = leaf.kind === 'boolean' && inline === undefined ? 'true' : takeValue()
    return { leaf, value: coerce(leaf, value), source }
  }
  const negated = flag.startsWith('no-') ? leavesByFlag.get(flag.slice(3)) : undefined
  if (negated?.kind === 'boolean' && inline === undefined) return { leaf: negated, value: false, source }
  throw new ConfigError(name, 'unknown flag; streamline --help lists every flag')
}
