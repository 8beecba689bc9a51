// Small run-time helpers the generated codecs call: arrays, tagged-field sections, null checks.
// They hold no knowledge of any message; the generated code stays straight-line per version.

import { EncodeError } from '../errors.ts'
import type { Reader, TaggedField } from './reader.ts'
import type { Writer } from './writer.ts'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

export function decodeArray<T>(reader: Reader, count: number, decodeElement: (reader: Reader) => T): T[] {
  const elements = new Array<T>(count)
  for (let index = 0; index < count; index++) elements[index] = decodeElement(reader)
  return elements
}

/** Reads a tagged-field section in which this version knows no tag: every field is kept as unknown. */
export function readUnknownTaggedFields(reader: Reader, field: string): TaggedField[] {
  const count = reader.readUnsignedVarint(field)
  const fields: TaggedField[] = []
  for (let index = 0; index < count; index++) {
    const tag = reader.readUnsignedVarint(field)
    const size = reader.readUnsignedVarint(field)
    fields.push({ tag, data: reader.readRawBytes(size, field) })
  }
  return fields
}

/** Writes a tagged-field section; tags go out in increasing order as the protocol requires. */
export function writeTaggedFields(writer: Writer, fields: TaggedField[] | undefined): void {
  if (fields === undefined || fields.length === 0) {
    writer.writeUnsignedVarint(0)
    return
  }
  const sorted = fields.length === 1 ? fields : [...fields].sort((a, b) => a.tag - b.tag)
  writer.writeUnsignedVarint(sorted.length)
  for (const field of sorted) {
    writer.writeUnsignedVarint(field.tag)
    writer.writeUnsignedVarint(field.data.length)
    writer.writeRawBytes(field.data)
  }
}

/** A value that must not be null in the version being encoded. */
export function requireValue<T>(value: T | null, field: string): T {
  if (value === null) throw new EncodeError(`${field} is null but not nullable in this version`)
  return value
}
