// Connect data ↔ Protobuf, as Confluent's ProtobufData maps them (proto3). A struct is a message named
// after the Connect schema (its namespace becomes the package; unnamed: `ConnectDefault1`), fields
// numbered in order from 1, nested structs as nested messages; int8/int16/int32 → int32, int64 →
// int64, float32 → float, float64 → double, boolean → bool, string, bytes, arrays → repeated, maps →
// map<K, V>, Timestamp → google.protobuf.Timestamp; Date, Time, Decimal and (wrapper.for.nullables)
// optional primitives as protobuf-logical.ts maps them. Reading, any message is a struct: 32-bit
// unsigned and all 64-bit integers → int64, enums → string (int32 with int.for.enums) and oneofs → structs
// (protobuf-shapes.ts: Confluent's parameters, also written back), the logical messages → their Connect types
// (wrappers → optional primitives with wrapper.for.nullables, structs without); every field is optional
// (proto3 has no required fields; an unset scalar reads as its default, as Confluent).
// Not mapped (a DataException): arrays of arrays or maps, maps with non-scalar keys or array/map values.

import protobuf from 'protobufjs'
import { type Field, LogicalNames, type Schema } from '../sdk/data.ts'
import { DataException } from './converter.ts'
import {
  connectLogicalValueOf,
  decimalFieldOption,
  decimalSchemaOf,
  logicalProtoTypes,
  primitiveOfWrapper,
  protoLogicalValueOf,
  wrapperFile,
  wrapperTypeOf,
} from './protobuf-logical.ts'
import {
  connectTypeOption,
  connectTypeParameter,
  enumOf,
  enumParameter,
  enumSchemaOf,
  enumText,
  fieldMetaParams,
  isUnion,
  tagOf,
  tagParameter,
  unionPrefix,
} from './protobuf-shapes.ts'

/** Confluent's ProtobufConverter options that change the mapping. */
export interface ProtobufDataOptions {
  /** wrapper.for.nullables: optional primitives as google.protobuf wrappers. */
  wrapperForNullables: boolean
  /** optional.for.nullables: optional scalars and enums written with proto3's `optional` label. */
  optionalForNullables?: boolean
  /** int.for.enums: enums read as int32 (their numbers) instead of strings (their symbols). */
  intForEnums?: boolean
}

const defaultOptions: ProtobufDataOptions = { wrapperForNullables: false }
const scalarNames = new Set(['int32', 'int64', 'float', 'double', 'bool', 'string', 'bytes'])

const timestampType = 'google.protobuf.Timestamp'

const scalarOf: Partial<Record<Schema['type'], string>> = {
  int8: 'int32',
  int16: 'int32',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  boolean: 'bool',
  string: 'string',
  bytes: 'bytes',
}

const identifier = (text: string): string => text.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')
const upperCamel = (text: string): string =>
  identifier(text)
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('') || 'Message'

/** The .proto text of a Connect struct schema, and its message's full name. */
export function protoFileOf(
  schema: Schema,
  options: ProtobufDataOptions = defaultOptions,
): { text: string; fullName: string } {
  if (schema.type !== 'struct')
    throw new DataException(`ProtobufConverter needs a struct schema, not ${schema.type}`)
  const name = schema.name ?? 'ConnectDefault1'
  const cut = name.lastIndexOf('.')
  const packageName = cut < 0 ? '' : name.slice(0, cut).split('.').map(identifier).join('.')
  const messageName = identifier(cut < 0 ? name : name.slice(cut + 1))
  const imports = new Set<string>()
  const body = messageText(schema, messageName, '', { imports, options })
  const lines = [
    'syntax = "proto3";',
    ...(packageName === '' ? [] : [`package ${packageName};`]),
    ...[...imports].map((file) => `import "${file}";`),
    '',
    body,
  ]
  return {
    text: `${lines.join('\n')}\n`,
    fullName: packageName === '' ? messageName : `${packageName}.${messageName}`,
  }
}

interface FileContext {
  imports: Set<string>
  options: ProtobufDataOptions
}

function messageText(schema: Schema, name: string, indent: string, context: FileContext): string {
  const { imports, options } = context
  const nested: string[] = []
  const enums = new Set<string>()
  const used = new Set((schema.fields ?? []).map((field) => field.field))
  const nestedName = (candidate: Schema, field: string): string => {
    let base = upperCamel(candidate.name?.split('.').pop() ?? field)
    while (used.has(base)) base = `${base}_`
    used.add(base)
    return base
  }
  const typeOf = (candidate: Schema, field: string, where: string): string => {
    const logical =
      candidate.name === undefined
        ? undefined
        : logicalProtoTypes[candidate.name as keyof typeof logicalProtoTypes]
    if (logical !== undefined) {
      imports.add(logical.file)
      return logical.type
    }
    const wrapper = options.wrapperForNullables ? wrapperTypeOf(candidate) : undefined
    if (wrapper !== undefined) {
      imports.add(wrapperFile)
      return wrapper
    }
    const enumFound = enumOf(candidate)
    if (enumFound !== null) {
      if (!enums.has(enumFound.name)) nested.push(enumText(enumFound, `${indent}  `))
      enums.add(enumFound.name)
      return enumFound.name
    }
    const scalar = scalarOf[candidate.type]
    if (scalar !== undefined) return scalar
    if (candidate.type === 'struct') {
      const typeName = nestedName(candidate, field)
      nested.push(messageText(candidate, typeName, `${indent}  `, context))
      return typeName
    }
    throw new DataException(`${where}: a ${candidate.type} cannot be nested here in Protobuf`)
  }
  // Field numbers: a field's Tag parameter, else one more than the last (oneof members included).
  let next = 0
  const fieldLine = (field: Field, inOneof: boolean): string => {
    const where = `field ${field.field}`
    const fieldName = identifier(field.field)
    next = tagOf(field, next + 1)
    const number = next
    if (field.type === 'array') {
      if (field.items === undefined) throw new DataException(`${where}: an array without items`)
      return `repeated ${typeOf(field.items, field.field, where)} ${fieldName} = ${number};`
    }
    if (field.type === 'map') {
      const key = field.keys === undefined ? undefined : scalarOf[field.keys.type]
      if (key === undefined || key === 'float' || key === 'double' || key === 'bytes')
        throw new DataException(`${where}: Protobuf map keys must be integers, strings or booleans`)
      if (field.values === undefined) throw new DataException(`${where}: a map without values`)
      return `map<${key}, ${typeOf(field.values, field.field, where)}> ${fieldName} = ${number};`
    }
    const wrapped = options.wrapperForNullables && wrapperTypeOf(field) !== undefined
    const option =
      field.name === LogicalNames.decimal
        ? decimalFieldOption(field)
        : wrapped
          ? ''
          : connectTypeOption(field)
    if (option !== '') imports.add('confluent/meta.proto')
    const type = typeOf(field, field.field, where)
    const label =
      !inOneof &&
      options.optionalForNullables === true &&
      field.optional &&
      (scalarNames.has(type) || enums.has(type))
        ? 'optional '
        : ''
    return `${label}${type} ${fieldName} = ${number}${option};`
  }
  const fieldLines: string[] = []
  for (const field of schema.fields ?? []) {
    if (!isUnion(field)) {
      fieldLines.push(fieldLine(field, false))
      continue
    }
    fieldLines.push(
      `oneof ${identifier(field.field)} {`,
      ...(field.fields ?? []).map((member) => `  ${fieldLine(member, true)}`),
      '}',
    )
  }
  return [
    `${indent}message ${name} {`,
    ...nested,
    ...fieldLines.map((line) => `${indent}  ${line}`),
    `${indent}}`,
  ].join('\n')
}

/** A Connect value as protobufjs's fromObject takes it. */
export function protoValueOf(
  schema: Schema,
  value: unknown,
  options: ProtobufDataOptions = defaultOptions,
): unknown {
  if (value === null || value === undefined) return undefined
  const logical = protoLogicalValueOf(schema, value)
  if (logical !== undefined) return logical
  if (options.wrapperForNullables && wrapperTypeOf(schema) !== undefined)
    return { value: protoValueOf({ ...schema, optional: false }, value, options) }
  if (schema.name === LogicalNames.timestamp) {
    const ms = value instanceof Date ? value.getTime() : Number(value)
    return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 }
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? value.toString() : value
    case 'struct': {
      const out: Record<string, unknown> = {}
      const struct = value as Record<string, unknown>
      for (const field of schema.fields ?? []) {
        // A oneof: its members are fields of the message itself (at most one set).
        const members = isUnion(field) ? (field.fields ?? []) : [field]
        const from = isUnion(field) ? ((struct[field.field] ?? {}) as Record<string, unknown>) : struct
        for (const member of members) {
          const converted = protoValueOf(member, from[member.field], options)
          if (converted !== undefined) out[identifier(member.field)] = converted
        }
      }
      return out
    }
    case 'array':
      return (value as unknown[]).map((item) => protoValueOf(schema.items ?? schema, item, options))
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>)
      return Object.fromEntries(
        entries.map(([key, item]) => [String(key), protoValueOf(schema.values ?? schema, item, options)]),
      )
    }
    default:
      return value
  }
}

const readScalars: Record<string, Schema['type']> = {
  double: 'float64',
  float: 'float32',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'int64',
  fixed32: 'int64',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'int64',
  fixed64: 'int64',
  bool: 'boolean',
  string: 'string',
  bytes: 'bytes',
}

/** The Connect schema of a Protobuf message (ProtobufData.toConnectSchema). */
export function connectSchemaOfType(
  type: protobuf.Type,
  options: ProtobufDataOptions = defaultOptions,
): Schema {
  const fields: Field[] = []
  const oneofs = new Set<string>()
  for (const field of type.fieldsArray) {
    field.resolve()
    const oneof = field.partOf
    if (oneof === null || oneof.isProto3Optional) {
      fields.push(fieldSchemaOf(field, options))
      continue
    }
    // A real oneof: one struct field where its first member is (Confluent's toConnectSchema).
    if (oneofs.has(oneof.name)) continue
    oneofs.add(oneof.name)
    fields.push({
      field: oneof.name,
      type: 'struct',
      optional: true,
      name: `${unionPrefix}${oneof.name}`,
      fields: oneof.fieldsArray.map((member) => {
        member.resolve()
        const schema = fieldSchemaOf(member, options)
        return { ...schema, parameters: { ...schema.parameters, [tagParameter]: String(member.id) } }
      }),
    })
  }
  return { type: 'struct', optional: false, name: type.fullName.replace(/^\./, ''), fields }
}

function fieldSchemaOf(field: protobuf.Field, options: ProtobufDataOptions): Field {
  const element = elementSchema(field, options)
  if (field.map) {
    const key = readScalars[(field as unknown as protobuf.MapField).keyType] ?? 'string'
    return {
      field: field.name,
      type: 'map',
      optional: true,
      keys: { type: key, optional: false },
      values: element,
    }
  }
  if (field.repeated) return { field: field.name, type: 'array', optional: true, items: element }
  return { field: field.name, ...element, optional: true }
}

function elementSchema(field: protobuf.Field, options: ProtobufDataOptions): Schema {
  const { type: typeName, resolvedType: resolved } = field
  if (resolved instanceof protobuf.Enum)
    return enumSchemaOf(resolved, { intForEnums: options.intForEnums === true })
  const connectType = fieldMetaParams(field.parsedOptions).get(connectTypeParameter)
  if ((connectType === 'int8' || connectType === 'int16') && readScalars[typeName] === 'int32')
    return { type: connectType, optional: true }
  if (resolved instanceof protobuf.Type) {
    const fullName = resolved.fullName.replace(/^\./, '')
    if (fullName === timestampType)
      return { type: 'int64', optional: true, name: LogicalNames.timestamp, version: 1 }
    if (fullName === logicalProtoTypes[LogicalNames.date].type)
      return { type: 'int32', optional: true, name: LogicalNames.date, version: 1 }
    if (fullName === logicalProtoTypes[LogicalNames.time].type)
      return { type: 'int32', optional: true, name: LogicalNames.time, version: 1 }
    if (fullName === logicalProtoTypes[LogicalNames.decimal].type) return decimalSchemaOf(field.parsedOptions)
    const primitive = options.wrapperForNullables ? primitiveOfWrapper(fullName) : undefined
    if (primitive !== undefined) return { type: primitive, optional: true }
    return { ...connectSchemaOfType(resolved, options), optional: true }
  }
  return { type: readScalars[typeName] ?? 'string', optional: true }
}

/** A decoded message (toObject with longs as strings, bytes as Buffers) as a Connect value. */
export function connectValueOf(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (schema.name === LogicalNames.timestamp) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown }
    return Number(seconds ?? 0) * 1000 + Math.floor(Number(nanos ?? 0) / 1_000_000)
  }
  const logical = connectLogicalValueOf(schema, value as Record<string, unknown>)
  if (logical !== undefined) return logical
  // A wrapper message read as its primitive (wrapper.for.nullables): its `value` field.
  if (schema.type !== 'struct' && schema.type !== 'map' && schema.type !== 'array' && isWrapperObject(value))
    return connectValueOf(schema, value.value ?? null)
  switch (schema.type) {
    case 'int64': {
      const big = BigInt(String(value))
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big
    }
    case 'struct': {
      const struct = value as Record<string, unknown>
      return Object.fromEntries(
        (schema.fields ?? []).map((field) => [
          field.field,
          isUnion(field) ? unionValueOf(field, struct) : connectValueOf(field, struct[field.field]),
        ]),
      )
    }
    case 'int32':
      // int.for.enums: the symbol protobufjs gives is read as its number.
      return typeof value === 'string' && enumOf(schema) !== null
        ? Number(schema.parameters?.[`${enumParameter}.${value}`])
        : value
    case 'array':
      return (value as unknown[]).map((item) => connectValueOf(schema.items ?? schema, item))
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          connectValueOf(schema.values ?? schema, item),
        ]),
      )
    case 'bytes':
      return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array)
    default:
      return value
  }
}

/** A oneof's struct: the member that is set (others null), or null when none is. */
function unionValueOf(schema: Schema, message: Record<string, unknown>): unknown {
  const members = schema.fields ?? []
  const set = members.find((member) => message[member.field] !== undefined && message[member.field] !== null)
  if (set === undefined) return null
  return Object.fromEntries(
    members.map((member) => [
      member.field,
      member === set ? connectValueOf(member, message[member.field]) : null,
    ]),
  )
}

function isWrapperObject(value: unknown): value is { value?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Uint8Array) &&
    !Array.isArray(value)
  )
}
