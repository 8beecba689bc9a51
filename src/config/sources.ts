// Reading options from their three sources: the TOML file, STREAMLINE_* environment variables and
// command-line flags (argv-env.ts). Each yields assignments (option, raw value, where it came from);
// load.ts applies them in precedence order and validates the result with the schema.

import { parse as parseToml } from 'smol-toml'
import { ConfigError } from '../errors.ts'
import {
  type Assignment,
  assignmentsFromArgs,
  assignmentsFromEnv,
  type CommandFlags,
  coerce,
  indexOptions,
} from './argv-env.ts'
import { kafkaAliases } from './kafka-names.ts'
import { optionLeaves, optionsByTomlKey } from './options.ts'

export type { Assignment, CommandFlags }
export { coerce }

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
    const restLeaf =
      alias?.restOfListKey === undefined ? undefined : optionsByTomlKey.get(alias.restOfListKey)
    if (restLeaf !== undefined && typeof raw === 'string') {
      // Kafka's log.dirs = "/a,/b": the first is the data dir, the rest more log dirs.
      const [first = '', ...rest] = raw.split(',').map((entry) => entry.trim())
      assignments.push({ leaf, value: first, source })
      assignments.push({ leaf: restLeaf, value: rest.join(','), source })
      continue
    }
    assignments.push({ leaf, value: coerce(leaf, aliasValue(key, raw, source)), source })
  }
  return assignments
}

const optionIndex = indexOptions(optionLeaves)

export function fromEnv(env: NodeJS.ProcessEnv): Assignment[] {
  return assignmentsFromEnv(env, optionIndex)
}

/** Parses argv: option flags (`--x v`, `--x=v`, `--flag`, `--no-flag`) and the command flags. */
export function fromArgs(argv: readonly string[]): { assignments: Assignment[]; command: CommandFlags } {
  return assignmentsFromArgs(argv, optionIndex)
}
