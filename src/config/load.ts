// Loading the configuration: defaults < TOML file (-c/--config or STREAMLINE_CONFIG) < environment
// (STREAMLINE_*) < flags. The merged values are validated once by the schema; the first invalid one
// stops start-up with a ConfigError naming the key, the value, where it came from and what is allowed.

import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.ts'
import { allowedValues, snakeCase } from './options.ts'
import { configSchema, type StreamlineConfig } from './schema.ts'
import { type Assignment, type CommandFlags, fromArgs, fromEnv, fromToml } from './sources.ts'

export interface LoadedConfig {
  config: StreamlineConfig
  command: CommandFlags
  /** The TOML file read, if any. */
  configFile: string | undefined
}

export interface LoadConfigOptions {
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  /** Reads the config file; tests pass their own. */
  readFile?: (path: string) => string
}

function readConfigFile(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError('config', `cannot read ${path}: ${reason}`)
  }
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'))
  const args = fromArgs(options.argv)
  const configFile = args.command.configFile ?? options.env.STREAMLINE_CONFIG
  const fromFile = configFile === undefined ? [] : fromToml(readConfigFile(configFile, readFile), configFile)
  // Later assignments win: file, then environment, then flags.
  const config = resolveConfig([...fromFile, ...fromEnv(options.env), ...args.assignments])
  return { config, command: args.command, configFile }
}

/** Applies assignments in order over the defaults and validates the result. */
export function resolveConfig(assignments: readonly Assignment[]): StreamlineConfig {
  const winners = new Map<string, Assignment>()
  for (const assignment of assignments) winners.set(assignment.leaf.tomlKey, assignment)
  const input: Record<string, unknown> = {}
  for (const { leaf, value } of winners.values()) setPath(input, leaf.path, value)
  const result = configSchema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const key = issue.path.join('.')
  const assignment = [...winners.values()].find((candidate) => candidate.leaf.path.join('.') === key)
  // No value of its own was given (a check across options): name the key as the TOML file writes it.
  if (assignment === undefined)
    throw new ConfigError(issue.path.map((name) => snakeCase(String(name))).join('.'), issue.message)
  throw invalidValue(assignment, issue.code === 'custom' ? issue.message : undefined)
}

function invalidValue(assignment: Assignment, detail: string | undefined): ConfigError {
  const { leaf, value, source } = assignment
  const allowed = detail ?? `expected ${allowedValues(leaf)}`
  return new ConfigError(leaf.tomlKey, `${formatValue(value)} (${source}) is not allowed: ${allowed}`)
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const name of path.slice(0, -1)) {
    const child = node[name]
    if (typeof child === 'object' && child !== null) node = child as Record<string, unknown>
    else {
      const created: Record<string, unknown> = {}
      node[name] = created
      node = created
    }
  }
  node[path[path.length - 1]] = value
}

/** The same validation for a config given as an object (embedded start): unknown keys are refused. */
export function configFromObject(input: unknown): StreamlineConfig {
  const result = configSchema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const key = issue.path.join('.')
  if (issue.code === 'unrecognized_keys') {
    throw new ConfigError(
      key === '' ? issue.keys.join(', ') : `${key}.${issue.keys.join(', ')}`,
      'unknown key',
    )
  }
  throw new ConfigError(key, issue.message)
}
