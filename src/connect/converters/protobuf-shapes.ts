// Confluent's ProtobufData conventions for what Connect has no type of its own for: enums, oneofs,
// field numbers and int8/int16 — carried as Connect schema parameters and `(confluent.field_meta)`
// field options, so Connect data written by a source and read back keeps the Protobuf shape.
//   enum  → a string schema (int32 with int.for.enums) named after the enum, parameters
//           `io.confluent.connect.protobuf.Enum` = its name and `…Enum.<SYMBOL>` = each number.
//   oneof → an optional struct field named after the oneof, its schema named
//           `io.confluent.connect.protobuf.Union.<oneof>`, one optional field per member; each member's
//           number in its `io.confluent.connect.protobuf.Tag` parameter (honoured on any field).
//   int8/int16 → `int32` with field_meta param `connect.type` = int8/int16.

import type protobuf from 'protobufjs'
import type { Schema } from '../sdk/data.ts'

const namespace = 'io.confluent.connect.protobuf'
export const enumParameter = `${namespace}.Enum`
export const unionPrefix = `${namespace}.Union.`
export const tagParameter = `${namespace}.Tag`
export const connectTypeParameter = 'connect.type'

export function isUnion(schema: Schema): boolean {
  return schema.type === 'struct' && (schema.name ?? '').startsWith(unionPrefix)
}

/** The enum a Connect schema stands for (its name and symbols by number), or null. */
export function enumOf(schema: Schema): { name: string; symbols: Array<[string, number]> } | null {
  const name = schema.parameters?.[enumParameter]
  if (name === undefined || (schema.type !== 'string' && schema.type !== 'int32')) return null
  const symbols: Array<[string, number]> = []
  for (const [key, value] of Object.entries(schema.parameters ?? {}))
    if (key.startsWith(`${enumParameter}.`))
      symbols.push([key.slice(enumParameter.length + 1), Number(value)])
  symbols.sort((a, b) => a[1] - b[1])
  return { name, symbols }
}

/** The `enum` definition of `enumOf(schema)`, indented. */
export function enumText(found: { name: string; symbols: Array<[string, number]> }, indent: string): string {
  return [
    `${indent}enum ${found.name} {`,
    ...found.symbols.map(([symbol, number]) => `${indent}  ${symbol} = ${number};`),
    `${indent}}`,
  ].join('\n')
}

/** A field's number: its Tag parameter, else the next one. */
export function tagOf(schema: Schema, next: number): number {
  const tag = Number(schema.parameters?.[tagParameter])
  return Number.isInteger(tag) && tag > 0 ? tag : next
}

/** The `[(confluent.field_meta) = …]` option carrying `connect.type` for int8/int16 ('' otherwise). */
export function connectTypeOption(schema: Schema): string {
  if (schema.type !== 'int8' && schema.type !== 'int16') return ''
  return ` [(confluent.field_meta) = { params: [{ key: "${connectTypeParameter}", value: "${schema.type}" }] }]`
}

/** The `(confluent.field_meta)` params of a parsed field's options. */
export function fieldMetaParams(parsedOptions: unknown): Map<string, string> {
  const params = new Map<string, string>()
  for (const option of Array.isArray(parsedOptions) ? parsedOptions : []) {
    const meta = (option as Record<string, { params?: Array<{ key?: string; value?: string }> }>)[
      '(confluent.field_meta)'
    ]
    for (const entry of meta?.params ?? [])
      if (entry.key !== undefined && entry.value !== undefined) params.set(entry.key, entry.value)
  }
  return params
}

/** The Connect schema of an enum field (Confluent's toConnectSchema for ENUM). */
export function enumSchemaOf(resolved: protobuf.Enum, options: { intForEnums: boolean }): Schema {
  const parameters: Record<string, string> = { [enumParameter]: resolved.name }
  for (const [symbol, number] of Object.entries(resolved.values))
    parameters[`${enumParameter}.${symbol}`] = String(number)
  return { type: options.intForEnums ? 'int32' : 'string', optional: true, name: resolved.name, parameters }
}
