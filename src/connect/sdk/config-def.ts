// ConfigDef: how a connector, transform or converter declares its options (Kafka's
// org.apache.kafka.common.config.ConfigDef), and validation with Kafka's per-field answer
// (ConfigInfos, as PUT /connector-plugins/{type}/config/validate returns it).

export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'CLASS' | 'PASSWORD'
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW'

export interface ConfigKey {
  name: string
  type: ConfigType
  /** Absent: required (Kafka's NO_DEFAULT_VALUE). null: optional with no value. */
  defaultValue?: string | number | boolean | string[] | null
  importance: Importance
  documentation: string
  group?: string
  orderInGroup?: number
  displayName?: string
  /** Kafka's validators: return an error message, or null when the parsed value is fine. */
  validate?: (value: ConfigValue) => string | null
  recommendedValues?: string[]
}

export type ConfigValue = string | number | boolean | string[] | null

export type ConfigDef = ConfigKey[]

/** The raw properties of a connector or task: string keys and string values, as Kafka stores them. */
export type Properties = Record<string, string>

/** Kafka's ConfigKeyInfo JSON. */
export interface ConfigKeyInfo {
  name: string
  type: ConfigType
  required: boolean
  default_value: string | null
  importance: Importance
  documentation: string
  group: string | null
  order: number
  width: 'NONE'
  display_name: string
  dependents: string[]
}

/** Kafka's ConfigValueInfo JSON. */
export interface ConfigValueInfo {
  name: string
  value: string | null
  recommended_values: string[]
  errors: string[]
  visible: boolean
}

export interface ConfigInfo {
  definition: ConfigKeyInfo
  value: ConfigValueInfo
}

export function keyInfo(key: ConfigKey): ConfigKeyInfo {
  return {
    name: key.name,
    type: key.type,
    required: !('defaultValue' in key),
    default_value: defaultText(key),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    order: key.orderInGroup ?? -1,
    width: 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: [],
  }
}

function defaultText(key: ConfigKey): string | null {
  if (!('defaultValue' in key) || key.defaultValue === null || key.defaultValue === undefined) return null
  return Array.isArray(key.defaultValue) ? key.defaultValue.join(',') : String(key.defaultValue)
}

/** A property parsed to its type, or Kafka's error message. */
export function parseValue(key: ConfigKey, raw: string): { value: ConfigValue } | { error: string } {
  const text = raw.trim()
  const invalid = (why: string) => ({ error: `Invalid value ${raw} for configuration ${key.name}: ${why}` })
  switch (key.type) {
    case 'INT':
    case 'LONG': {
      if (!/^[-+]?\d+$/.test(text)) return invalid(`Not a number of type ${key.type}`)
      const value = Number(text)
      if (key.type === 'INT' && (value > 2 ** 31 - 1 || value < -(2 ** 31)))
        return invalid('Not a number of type INT')
      return { value }
    }
    case 'DOUBLE': {
      const value = Number(text)
      if (text === '' || Number.isNaN(value)) return invalid('Not a number of type DOUBLE')
      return { value }
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase()
      if (lower !== 'true' && lower !== 'false') return invalid('Expected value to be either true or false')
      return { value: lower === 'true' }
    }
    case 'LIST':
      return { value: text === '' ? [] : text.split(',').map((item) => item.trim()) }
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return { value: key.type === 'STRING' ? raw : text }
  }
}

/** Parsed values of `properties` by `definition`, throwing the first error (Kafka's ConfigException). */
export function parseConfig(definition: ConfigDef, properties: Properties): Map<string, ConfigValue> {
  const values = new Map<string, ConfigValue>()
  for (const result of validateConfig(definition, properties)) {
    if (result.errors.length > 0) throw new ConfigException(result.errors[0])
    values.set(result.name, result.parsed)
  }
  return values
}

export interface FieldValidation {
  name: string
  raw: string | null
  parsed: ConfigValue
  errors: string[]
}

export function validateConfig(definition: ConfigDef, properties: Properties): FieldValidation[] {
  return definition.map((key) => {
    const raw = properties[key.name]
    if (raw === undefined) {
      if (!('defaultValue' in key)) {
        return {
          name: key.name,
          raw: null,
          parsed: null,
          errors: [`Missing required configuration "${key.name}" which has no default value.`],
        }
      }
      const parsed = key.defaultValue ?? null
      const problem = parsed === null ? null : (key.validate?.(parsed) ?? null)
      return { name: key.name, raw: null, parsed, errors: problem === null ? [] : [problem] }
    }
    const result = parseValue(key, raw)
    if ('error' in result) return { name: key.name, raw, parsed: null, errors: [result.error] }
    const problem = key.validate?.(result.value) ?? null
    return {
      name: key.name,
      raw,
      parsed: result.value,
      errors: problem === null ? [] : [`Invalid value ${raw} for configuration ${key.name}: ${problem}`],
    }
  })
}

/** A configuration Kafka would refuse (its ConfigException). */
export class ConfigException extends Error {
  override name = 'org.apache.kafka.common.config.ConfigException'
}

/** Typed getters over parsed values (Kafka's AbstractConfig). */
export class ParsedConfig {
  readonly values: Map<string, ConfigValue>
  constructor(
    definition: ConfigDef,
    readonly originals: Properties,
  ) {
    this.values = parseConfig(definition, originals)
  }
  string(name: string): string {
    const value = this.values.get(name)
    return value === null || value === undefined ? '' : String(value)
  }
  optionalString(name: string): string | null {
    const value = this.values.get(name)
    return value === null || value === undefined ? null : String(value)
  }
  number(name: string): number {
    return Number(this.values.get(name))
  }
  boolean(name: string): boolean {
    return this.values.get(name) === true
  }
  list(name: string): string[] {
    const value = this.values.get(name)
    return Array.isArray(value) ? value : []
  }
}

export const atLeast =
  (minimum: number) =>
  (value: ConfigValue): string | null =>
    typeof value === 'number' && value < minimum ? `Value must be at least ${minimum}` : null

export const oneOf =
  (...allowed: string[]) =>
  (value: ConfigValue): string | null =>
    typeof value === 'string' && !allowed.includes(value)
      ? `String must be one of: ${allowed.join(', ')}`
      : null
