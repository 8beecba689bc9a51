// Transforms that reshape fields (org.apache.kafka.connect.transforms): InsertField, ReplaceField,
// MaskField, ValueToKey, ExtractField, HoistField, Flatten — Kafka's names and options.

import type { ConfigDef, Properties } from '../sdk/config-def.ts'
import { type Field, isStruct, type Schema, type StructValue } from '../sdk/data.ts'
import type { ConnectRecord, SinkRecord } from '../sdk/records.ts'
import type { Transformation } from '../sdk/transformation.ts'
import { listOption, type Part, partOf, requireObject, withPart } from './record-part.ts'

const s = (name: string, documentation: string, defaultValue: string | null = null) => ({
  name,
  type: 'STRING' as const,
  defaultValue,
  importance: 'MEDIUM' as const,
  documentation,
})

/** InsertField: topic.field, partition.field, offset.field, timestamp.field, static.field + static.value. */
export class InsertField implements Transformation {
  private options: Properties = {}
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      s(
        'topic.field',
        'Field name for Kafka topic. Suffix with ! to make this a required field, or ? to keep it optional (the default).',
      ),
      s('partition.field', 'Field name for Kafka partition.'),
      s('offset.field', 'Field name for Kafka offset - only applicable to sink connectors.'),
      s('timestamp.field', 'Field name for record timestamp.'),
      s('static.field', 'Field name for static data field.'),
      s('static.value', 'Static field value, if field name configured.'),
    ]
  }
  configure(properties: Properties): void {
    this.options = properties
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null && schema === null) return record // tombstones pass (Kafka: replace.null.with.default aside)
    const object = { ...requireObject(value, 'field insertion') }
    const added: Field[] = []
    const insert = (option: string, fieldValue: unknown, type: Schema['type']) => {
      const name = this.options[option]?.replace(/[!?]$/, '')
      if (name === undefined || name === '') return
      object[name] = fieldValue
      added.push({ field: name, type, optional: true })
    }
    insert('topic.field', record.topic, 'string')
    insert('partition.field', record.kafkaPartition, 'int32')
    if ('kafkaOffset' in record)
      insert('offset.field', (record as unknown as SinkRecord).kafkaOffset, 'int64')
    insert('timestamp.field', record.timestamp, 'int64')
    insert('static.field', this.options['static.value'] ?? null, 'string')
    const newSchema =
      schema === null
        ? null
        : {
            ...schema,
            fields: [
              ...(schema.fields ?? []).filter((f) => !added.some((a) => a.field === f.field)),
              ...added,
            ],
          }
    return withPart(record, this.part, newSchema, object)
  }
}

/** ReplaceField: include / exclude / renames ("old:new,…"). */
export class ReplaceField implements Transformation {
  private include: string[] = []
  private exclude: string[] = []
  private renames = new Map<string, string>()
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      {
        name: 'exclude',
        type: 'LIST',
        defaultValue: [],
        importance: 'MEDIUM',
        documentation: 'Fields to exclude. This takes precedence over the fields to include.',
      },
      {
        name: 'include',
        type: 'LIST',
        defaultValue: [],
        importance: 'MEDIUM',
        documentation: 'Fields to include. If specified, only these fields will be used.',
      },
      {
        name: 'renames',
        type: 'LIST',
        defaultValue: [],
        importance: 'MEDIUM',
        documentation: 'Field rename mappings.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.include = listOption(properties.include)
    this.exclude = listOption(properties.exclude)
    this.renames = new Map(listOption(properties.renames).map((pair) => pair.split(':') as [string, string]))
  }
  private keep(name: string): boolean {
    return !this.exclude.includes(name) && (this.include.length === 0 || this.include.includes(name))
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    const object = requireObject(value, 'field replacement')
    const out: StructValue = {}
    for (const [name, item] of Object.entries(object))
      if (this.keep(name)) out[this.renames.get(name) ?? name] = item
    const newSchema =
      schema === null
        ? null
        : {
            ...schema,
            fields: (schema.fields ?? [])
              .filter((f) => this.keep(f.field))
              .map((f) => ({ ...f, field: this.renames.get(f.field) ?? f.field })),
          }
    return withPart(record, this.part, newSchema, out)
  }
}

/** MaskField: fields replaced by their type's empty value, or `replacement`. */
export class MaskField implements Transformation {
  private fields: string[] = []
  private replacement: string | null = null
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      { name: 'fields', type: 'LIST', importance: 'HIGH', documentation: 'Names of fields to mask.' },
      s(
        'replacement',
        "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
      ),
    ]
  }
  configure(properties: Properties): void {
    this.fields = listOption(properties.fields)
    this.replacement = properties.replacement ?? null
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    const out = { ...requireObject(value, 'masking fields') }
    for (const name of this.fields) {
      if (!(name in out)) continue
      const current = out[name]
      if (this.replacement !== null)
        out[name] = typeof current === 'number' ? Number(this.replacement) : this.replacement
      else
        out[name] =
          typeof current === 'number'
            ? 0
            : typeof current === 'boolean'
              ? false
              : Array.isArray(current)
                ? []
                : isStruct(current)
                  ? {}
                  : ''
    }
    return withPart(record, this.part, schema, out)
  }
}

/** ValueToKey: the key becomes a struct/map of these value fields. */
export class ValueToKey implements Transformation {
  private fields: string[] = []
  config(): ConfigDef {
    return [
      {
        name: 'fields',
        type: 'LIST',
        importance: 'HIGH',
        documentation: 'Field names on the record value to extract as the record key.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.fields = listOption(properties.fields)
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const object = requireObject(record.value, 'copying fields from value to key')
    const key: StructValue = {}
    for (const name of this.fields) key[name] = object[name] ?? null
    const keySchema =
      record.valueSchema === null
        ? null
        : {
            type: 'struct' as const,
            optional: false,
            fields: this.fields.map(
              (name) =>
                record.valueSchema?.fields?.find((f) => f.field === name) ?? {
                  field: name,
                  type: 'string' as const,
                  optional: true,
                },
            ),
          }
    return { ...record, key, keySchema }
  }
}

/** ExtractField: the part becomes one of its fields (`field`; dotted paths are not supported). */
export class ExtractField implements Transformation {
  private field = ''
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [{ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' }]
  }
  configure(properties: Properties): void {
    this.field = properties.field ?? ''
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    const object = requireObject(value, 'field extraction')
    const fieldSchema = schema?.fields?.find((f) => f.field === this.field)
    const { field: _name, ...plain } = fieldSchema ?? { field: '' }
    return withPart(
      record,
      this.part,
      fieldSchema === undefined ? null : (plain as Schema),
      object[this.field] ?? null,
    )
  }
}

/** HoistField: the part is wrapped in a struct/map under `field`. */
export class HoistField implements Transformation {
  private field = ''
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      {
        name: 'field',
        type: 'STRING',
        importance: 'MEDIUM',
        documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.field = properties.field ?? ''
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    const newSchema =
      schema === null
        ? null
        : { type: 'struct' as const, optional: false, fields: [{ ...schema, field: this.field }] }
    return withPart(record, this.part, newSchema, { [this.field]: value })
  }
}

/** Flatten: nested structs/maps become top-level fields joined by `delimiter` (default "."). */
export class Flatten implements Transformation {
  private delimiter = '.'
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      s(
        'delimiter',
        'Delimiter to insert between field names from the input record when generating field names for the output record',
        '.',
      ),
    ]
  }
  configure(properties: Properties): void {
    this.delimiter = properties.delimiter ?? '.'
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    const out: StructValue = {}
    const fields: Field[] = []
    const walk = (object: StructValue, objectSchema: Schema | null, prefix: string) => {
      for (const [name, item] of Object.entries(object)) {
        const path = prefix === '' ? name : `${prefix}${this.delimiter}${name}`
        const itemSchema = objectSchema?.fields?.find((f) => f.field === name) ?? null
        if (isStruct(item) && !(item instanceof Date)) walk(item, itemSchema, path)
        else {
          out[path] = item
          if (itemSchema !== null) fields.push({ ...itemSchema, field: path })
        }
      }
    }
    walk(requireObject(value, 'flattening'), schema, '')
    return withPart(
      record,
      this.part,
      schema === null ? null : { type: 'struct', optional: schema.optional, fields },
      out,
    )
  }
}
