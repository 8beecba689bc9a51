// StringConverter (org.apache.kafka.connect.storage.StringConverter): UTF-8 text; any value is
// written with its string form, bytes are read as an optional string.

import type { Properties } from '../sdk/config-def.ts'
import type { Schema } from '../sdk/data.ts'
import type { Converter, SchemaAndValue } from './converter.ts'

/** One schema object for every value read (schemas are never mutated: transforms build new ones). */
const optionalString: Schema = Object.freeze({ type: 'string', optional: true })

/** Every null read (keys, usually): one frozen answer instead of an object per record. */
const nullValue: SchemaAndValue = Object.freeze({ schema: optionalString, value: null })

export class StringConverter implements Converter {
  private encoding: BufferEncoding = 'utf8'

  configure(properties: Properties, options: { isKey: boolean }): void {
    const name = properties[options.isKey ? 'converter.encoding' : 'converter.encoding'] ?? 'UTF8'
    this.encoding = name.replace('-', '').toUpperCase() === 'UTF16' ? 'utf16le' : 'utf8'
  }

  fromConnectData(_topic: string, _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null
    const text =
      typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : stringOf(value)
    return Buffer.from(text, this.encoding)
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return nullValue
    return { schema: optionalString, value: bytes.toString(this.encoding) }
  }
}

/** Java's toString of a map or struct is not JSON; JSON is what people expect from JavaScript. */
function stringOf(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
