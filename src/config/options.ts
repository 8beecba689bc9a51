// The leaves of the config schema as a flat list: key path, TOML key, flag, environment variable,
// kind, default and doc. Derived once from schema.ts by walking zod's definitions, so flags, env,
// --help and --generate-config can never drift from the schema.

import type { z } from 'zod'
import { configSchema, type OptionMeta } from './schema.ts'

export type OptionKind = 'string' | 'integer' | 'boolean' | 'enum'

export interface OptionLeaf {
  /** camelCase path, e.g. ['topics', 'numPartitions']. */
  path: readonly string[]
  /** Dotted snake_case key as written in TOML, e.g. `topics.num_partitions`. */
  tomlKey: string
  /** Flag without dashes, e.g. `num-partitions`. */
  flag: string
  /** e.g. STREAMLINE_TOPICS_NUM_PARTITIONS */
  envName: string
  kind: OptionKind
  /** Allowed values of an enum. */
  values: readonly string[]
  min: number | null
  max: number | null
  /** undefined: optional, unset by default. */
  defaultValue: string | number | boolean | undefined
  doc: string
  valueName: string | undefined
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

interface Unwrapped {
  inner: z.ZodType
  defaultValue: unknown
}

function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema
  let defaultValue: unknown
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown }
    if (def.type === 'default') defaultValue = def.defaultValue
    if ((def.type === 'default' || def.type === 'optional') && def.innerType !== undefined) {
      current = def.innerType
      continue
    }
    return { inner: current, defaultValue }
  }
}

function kindOf(inner: z.ZodType): OptionKind {
  const type = (inner.def as { type: string }).type
  if (type === 'string') return 'string'
  if (type === 'boolean') return 'boolean'
  if (type === 'enum') return 'enum'
  if (type === 'number') return 'integer'
  throw new Error(`config schema: unsupported option type ${type}`)
}

function leavesOf(shape: Record<string, z.ZodType>, prefix: readonly string[], out: OptionLeaf[]): void {
  for (const [name, field] of Object.entries(shape)) {
    const path = [...prefix, name]
    const { inner, defaultValue } = unwrap(field)
    if ((inner.def as { type: string }).type === 'object') {
      leavesOf((inner as z.ZodObject).shape as Record<string, z.ZodType>, path, out)
      continue
    }
    const meta = (field.meta() ?? {}) as Partial<OptionMeta>
    if (meta.doc === undefined) throw new Error(`config schema: ${path.join('.')} has no doc`)
    const snakePath = path.map(snakeCase)
    const bounds = inner as unknown as { minValue?: number | null; maxValue?: number | null }
    const kind = kindOf(inner)
    out.push({
      path,
      tomlKey: snakePath.join('.'),
      flag: meta.flag ?? snakePath.join('-').replaceAll('_', '-'),
      envName: `STREAMLINE_${snakePath.join('_').toUpperCase()}`,
      kind,
      values: kind === 'enum' ? ((inner as z.ZodEnum).options as string[]) : [],
      min: kind === 'integer' ? (bounds.minValue ?? null) : null,
      max: kind === 'integer' ? (bounds.maxValue ?? null) : null,
      defaultValue: defaultValue as OptionLeaf['defaultValue'],
      doc: meta.doc,
      valueName: meta.valueName,
    })
  }
}

function allLeaves(): OptionLeaf[] {
  const out: OptionLeaf[] = []
  leavesOf(configSchema.shape as Record<string, z.ZodType>, [], out)
  return out
}

/** Every option, in schema order. */
export const optionLeaves: readonly OptionLeaf[] = allLeaves()

export const optionsByTomlKey: ReadonlyMap<string, OptionLeaf> = new Map(
  optionLeaves.map((leaf) => [leaf.tomlKey, leaf]),
)

/** What values an option allows, for error messages and docs. */
export function allowedValues(leaf: OptionLeaf): string {
  switch (leaf.kind) {
    case 'boolean':
      return 'true or false'
    case 'enum':
      return `one of ${leaf.values.join(', ')}`
    case 'integer':
      return `an integer from ${leaf.min ?? '-∞'} to ${leaf.max ?? '∞'}`
    case 'string':
      return leaf.valueName === '<host:port>' ? 'host:port' : 'a string'
  }
}
