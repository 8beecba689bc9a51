// A run-time description of each generated message, emitted beside its codecs. The codecs do not
// use it (they are straight-line code); tests use it to build random values for every version, and
// tools use it to list fields.

import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export type PrimitiveName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records'

/** [min, max] inclusive; max is Infinity for "N+"; an empty range has min > max. */
export type VersionSpan = readonly [number, number]

export type TypeSchema =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'array'; element: TypeSchema }
  | { kind: 'struct'; struct: () => StructSchema }

export interface FieldSchema {
  /** camelCase, as in the generated interface. */
  name: string
  type: TypeSchema
  versions: VersionSpan
  nullableVersions: VersionSpan
  taggedVersions: VersionSpan | null
  tag: number | null
  ignorable: boolean
  flexibleVersions: VersionSpan | null
  defaultValue: () => unknown
}

export interface StructSchema {
  name: string
  fields: readonly FieldSchema[]
}

/** The straight-line codecs of one message, indexed by version (undefined below the first). */
export interface MessageCodecs<T = unknown> {
  decoders: readonly (((reader: Reader) => T) | undefined)[]
  encoders: readonly (((writer: Writer, value: T) => void) | undefined)[]
}

export interface MessageSchema<T = unknown> extends MessageCodecs<T> {
  name: string
  apiKey: number | null
  kind: 'request' | 'response' | 'header' | 'data'
  validVersions: VersionSpan
  flexibleVersions: VersionSpan
  root: StructSchema
}

export function inSpan(span: VersionSpan | null, version: number): boolean {
  return span !== null && version >= span[0] && version <= span[1]
}
