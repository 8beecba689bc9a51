// The CLI's quick path to its configuration, without loading zod and the schema (~45 ms of a cold
// start on Node 20: bench/RESULTS.md, Startup). It handles the common start (flags and STREAMLINE_*
// variables with plain values, no config file, no [security] option) from an option table that
// scripts/bundle.ts computes from the schema at build time; for anything else, and for every value it
// is not sure of, it answers null and the CLI takes the full path (load.ts), so every error message
// is the schema's own. config.test.ts checks that both paths agree value for value.

import { type Assignment, assignmentsFromArgs, assignmentsFromEnv, indexOptions } from './argv-env.ts'
import type { LoadedConfig } from './load.ts'
import type { OptionLeaf } from './options.ts'
import type { StreamlineConfig } from './schema.ts'

/** What the quick path knows of the schema: every option and the defaults. */
export interface OptionTable {
  leaves: OptionLeaf[]
  defaults: StreamlineConfig
}

// Replaced by the table's JSON text when scripts/bundle.ts bundles the CLI (esbuild `define`). A string,
// not an object: esbuild turns an object-valued define into a shared chunk that every entry of the
// split bundle imports at load, `streamline-cli --version` included; JSON.parse of a string is also
// cheaper for V8 than the same object literal.
declare const STREAMLINE_OPTION_TABLE_JSON: string | undefined

let parsedOptionTable: OptionTable | undefined

/** The table computed at build time in the bundled CLI; null when running from source. */
export function builtOptionTable(): OptionTable | null {
  if (typeof STREAMLINE_OPTION_TABLE_JSON === 'undefined') return null
  parsedOptionTable ??= JSON.parse(STREAMLINE_OPTION_TABLE_JSON) as OptionTable
  return parsedOptionTable
}

/** schema.ts's hostPort rule. */
function isHostPort(text: string): boolean {
  return (
    /^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(text) && Number(text.slice(text.lastIndexOf(':') + 1)) <= 65535
  )
}

/** String options whose every rule this file knows; any other string option takes the full path. */
const stringRules: Record<string, (text: string) => boolean> = {
  listen_addr: isHostPort,
  advertised_addr: isHostPort,
  http_addr: isHostPort,
  registry_addr: isHostPort,
  connect_addr: isHostPort,
  data_dir: (text) => text.length >= 1,
}

function isValid({ leaf, value }: Assignment): boolean {
  // [security] options are checked across each other (checkSecurity): the schema decides.
  if (leaf.path[0] === 'security') return false
  // So are [tiered_storage] options (checkTieredStorage).
  if (leaf.path[0] === 'tieredStorage') return false
  // And [cluster] options (checkCluster; URLs the quick path does not validate).
  if (leaf.path[0] === 'cluster') return false
  // And [sql] options (checkSql: defaults at most their maxima).
  if (leaf.path[0] === 'sql') return false
  switch (leaf.kind) {
    case 'integer':
      return (
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        (leaf.min === null || value >= leaf.min) &&
        (leaf.max === null || value <= leaf.max)
      )
    case 'boolean':
      return typeof value === 'boolean'
    case 'enum':
      return typeof value === 'string' && leaf.values.includes(value)
    case 'string':
      return typeof value === 'string' && stringRules[leaf.tomlKey]?.(value) === true
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const name of path.slice(0, -1)) node = node[name] as Record<string, unknown>
  node[path[path.length - 1]] = value
}

/**
 * The configuration from flags and environment when every value is one the quick path can vouch for;
 * null otherwise (a config file, --help and the like, a [security] option, an invalid or unusual
 * value): the caller then loads it with load.ts.
 */
export function quickLoadConfig(
  options: { argv: readonly string[]; env: NodeJS.ProcessEnv },
  table: OptionTable,
): LoadedConfig | null {
  if (options.env.STREAMLINE_CONFIG !== undefined) return null
  const index = indexOptions(table.leaves)
  let parsed: ReturnType<typeof assignmentsFromArgs>
  let fromEnv: Assignment[]
  try {
    parsed = assignmentsFromArgs(options.argv, index)
    fromEnv = assignmentsFromEnv(options.env, index)
  } catch {
    return null // the full path reports the same error
  }
  const { command } = parsed
  if (command.help || command.version || command.generateConfig || command.configFile !== undefined)
    return null
  // Later assignments win: environment, then flags (as load.ts).
  const winners = new Map<string, Assignment>()
  for (const assignment of [...fromEnv, ...parsed.assignments])
    winners.set(assignment.leaf.tomlKey, assignment)
  for (const assignment of winners.values()) if (!isValid(assignment)) return null
  const config = structuredClone(table.defaults)
  for (const { leaf, value } of winners.values())
    setPath(config as unknown as Record<string, unknown>, leaf.path, value)
  return { config, command, configFile: undefined }
}
