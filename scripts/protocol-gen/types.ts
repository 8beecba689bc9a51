// Emits TypeScript types, default values and default checks for the fields of a message.

import { camelCase, versionLabel } from './names.ts'
import type { FieldSpec, FieldType, MessageSpec, StructSpec } from './spec.ts'

export function isNullableAnywhere(field: FieldSpec): boolean {
  return field.nullableVersions.min <= field.nullableVersions.max
}

export function tsType(type: FieldType): string {
  switch (type.kind) {
    case 'struct':
      return type.name
    case 'array': {
      const element = tsType(type.element)
      return `${element}[]`
    }
    case 'primitive':
      switch (type.name) {
        case 'int64':
          return 'bigint'
        case 'bool':
          return 'boolean'
        case 'string':
        case 'uuid':
          return 'string'
        case 'bytes':
        case 'records':
          return 'Buffer'
        default:
          return 'number'
      }
  }
}

export function fieldTsType(field: FieldSpec): string {
  const base = tsType(field.type)
  return isNullableAnywhere(field) ? `${base} | null` : base
}

function numberLiteral(text: string | undefined): string {
  if (text === undefined || text === '') return '0'
  const value = Number(text)
  if (Number.isNaN(value)) throw new Error(`bad numeric default ${text}`)
  return String(value)
}

/** A TypeScript expression for the field's default value (a fresh value for mutable types). */
export function defaultLiteral(field: FieldSpec): string {
  const text = field.defaultValue
  const type = field.type
  if (text === 'null') {
    if (!isNullableAnywhere(field))
      throw new Error(`field ${field.name} defaults to null but is never nullable`)
    return 'null'
  }
  switch (type.kind) {
    case 'array':
      return '[]'
    case 'struct':
      return `createDefault${type.name}()`
    case 'primitive':
      switch (type.name) {
        case 'bool':
          return text === 'true' ? 'true' : 'false'
        case 'int64':
          return `${BigInt(text === undefined || text === '' ? 0 : text)}n`
        case 'string':
          return JSON.stringify(text ?? '')
        case 'uuid':
          return 'ZERO_UUID'
        case 'records':
          return isNullableAnywhere(field) ? 'null' : 'Buffer.alloc(0)'
        case 'bytes':
          return 'Buffer.alloc(0)'
        default:
          return numberLiteral(text)
      }
  }
}

/** A boolean TypeScript expression: does `value` equal the field's default? */
export function isDefaultExpression(field: FieldSpec, value: string): string {
  const literal = defaultLiteral(field)
  if (literal === 'null') return `${value} === null`
  const type = field.type
  const nullable = isNullableAnywhere(field)
  const guard = (check: string) => (nullable ? `(${value} !== null && ${check})` : check)
  if (type.kind === 'array') return guard(`${value}.length === 0`)
  if (type.kind === 'struct') return guard(`isDefault${type.name}(${value})`)
  if (type.name === 'bytes' || type.name === 'records') return guard(`${value}.length === 0`)
  return `${value} === ${literal}`
}

function fieldDoc(field: FieldSpec): string {
  const parts = [versionLabel(field.versions.min, field.versions.max)]
  if (isNullableAnywhere(field)) {
    parts.push(`nullable ${versionLabel(field.nullableVersions.min, field.nullableVersions.max)}`)
  }
  if (field.taggedVersions !== null) parts.push(`tag ${field.tag}`)
  if (field.ignorable) parts.push('ignorable')
  const about = field.about.replaceAll('*/', '* /')
  return `/** ${about}${about.endsWith('.') || about === '' ? '' : '.'} (${parts.join(', ')}) */`
}

export function emitInterface(struct: StructSpec, message: MessageSpec, isRoot: boolean): string {
  const lines: string[] = []
  if (isRoot) {
    const key = message.apiKey === null ? '' : `key ${message.apiKey}, `
    const flexible = versionLabel(message.flexibleVersions.min, message.flexibleVersions.max)
    const valid = versionLabel(message.validVersions.min, message.validVersions.max)
    lines.push(`/** ${struct.name} (${key}${valid}, flexible ${flexible}). */`)
  }
  lines.push(`export interface ${struct.name} {`)
  for (const field of struct.fields) {
    lines.push(`  ${fieldDoc(field)}`)
    lines.push(`  ${camelCase(field.name)}: ${fieldTsType(field)}`)
  }
  lines.push('  /** Tagged fields this version did not know, kept so they re-encode unchanged. */')
  lines.push('  unknownTaggedFields?: TaggedField[]')
  lines.push('}')
  return lines.join('\n')
}

export function emitDefaults(struct: StructSpec): string {
  const create = [
    `export function createDefault${struct.name}(): ${struct.name} {`,
    '  return {',
    ...struct.fields.map((field) => `    ${camelCase(field.name)}: ${defaultLiteral(field)},`),
    '  }',
    '}',
  ]
  const checks = struct.fields.map((field) => isDefaultExpression(field, `value.${camelCase(field.name)}`))
  checks.push('(value.unknownTaggedFields === undefined || value.unknownTaggedFields.length === 0)')
  const isDefault = [
    `export function isDefault${struct.name}(value: ${struct.name}): boolean {`,
    `  return (\n    ${checks.join(' &&\n    ')}\n  )`,
    '}',
  ]
  return [...create, '', ...isDefault].join('\n')
}
