// Transforms of the topic and headers, Filter and the predicates (org.apache.kafka.connect.transforms):
// RegexRouter, TimestampRouter, InsertHeader, DropHeaders, HeaderFrom, Filter; TopicNameMatches,
// HasHeaderKey, RecordIsTombstone.

import type { ConfigDef, Properties } from '../sdk/config-def.ts'
import type { ConnectRecord } from '../sdk/records.ts'
import type { Predicate, Transformation } from '../sdk/transformation.ts'
import { listOption, type Part, partOf, requireObject, withPart } from './record-part.ts'
import { checkFormat, formatTime } from './time-format.ts'

/** RegexRouter: a topic matching `regex` (whole name, as Java's matches()) becomes `replacement` ($1 …). */
export class RegexRouter implements Transformation {
  private regex = /^$/
  private replacement = ''
  config(): ConfigDef {
    return [
      {
        name: 'regex',
        type: 'STRING',
        importance: 'HIGH',
        documentation: 'Regular expression to use for matching.',
      },
      { name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' },
    ]
  }
  configure(properties: Properties): void {
    this.regex = new RegExp(`^(?:${properties.regex ?? ''})$`)
    this.replacement = properties.replacement ?? ''
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    return this.regex.test(record.topic)
      ? { ...record, topic: record.topic.replace(this.regex, this.replacement) }
      : record
  }
}

// Kafka's placeholders are literal text in the option values, not template literals.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka's placeholder syntax
const topicToken = '${topic}'
// biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka's placeholder syntax
const timestampToken = '${timestamp}'
const defaultTopicFormat = `${topicToken}-${timestampToken}`

/** TimestampRouter: topic.format ("${topic}-${timestamp}") with timestamp.format ("yyyyMMdd", UTC). */
export class TimestampRouter implements Transformation {
  private topicFormat = defaultTopicFormat
  private timestampFormat = 'yyyyMMdd'
  config(): ConfigDef {
    return [
      {
        name: 'topic.format',
        type: 'STRING',
        defaultValue: defaultTopicFormat,
        importance: 'HIGH',
        documentation: `Format string which can contain ${topicToken} and ${timestampToken} as placeholders for the topic and timestamp, respectively.`,
      },
      {
        name: 'timestamp.format',
        type: 'STRING',
        defaultValue: 'yyyyMMdd',
        importance: 'HIGH',
        documentation: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.topicFormat = properties['topic.format'] ?? this.topicFormat
    this.timestampFormat = properties['timestamp.format'] ?? this.timestampFormat
    checkFormat(this.timestampFormat)
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.timestamp === null) throw new Error(`Timestamp missing on record: ${record.topic}`)
    const topic = this.topicFormat
      .replaceAll(topicToken, record.topic)
      .replaceAll(timestampToken, formatTime(record.timestamp, this.timestampFormat))
    return { ...record, topic }
  }
}

export class InsertHeader implements Transformation {
  private header = ''
  private literal = ''
  config(): ConfigDef {
    return [
      { name: 'header', type: 'STRING', importance: 'HIGH', documentation: 'The name of the header.' },
      {
        name: 'value.literal',
        type: 'STRING',
        importance: 'HIGH',
        documentation: 'The literal value that is to be set as the header value on all records.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.header = properties.header ?? ''
    this.literal = properties['value.literal'] ?? ''
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    return {
      ...record,
      headers: [
        ...record.headers,
        { key: this.header, schema: { type: 'string', optional: false }, value: this.literal },
      ],
    }
  }
}

export class DropHeaders implements Transformation {
  private names = new Set<string>()
  config(): ConfigDef {
    return [
      {
        name: 'headers',
        type: 'LIST',
        importance: 'HIGH',
        documentation: 'The name of the headers to be removed.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.names = new Set(listOption(properties.headers))
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    return { ...record, headers: record.headers.filter((header) => !this.names.has(header.key)) }
  }
}

/** HeaderFrom$Key/$Value: fields copied or moved into headers (fields[i] → headers[i]). */
export class HeaderFrom implements Transformation {
  private fields: string[] = []
  private headers: string[] = []
  private move = false
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      {
        name: 'fields',
        type: 'LIST',
        importance: 'HIGH',
        documentation: 'Field names in the record whose values are to be copied or moved to headers.',
      },
      {
        name: 'headers',
        type: 'LIST',
        importance: 'HIGH',
        documentation:
          'Header names, in the same order as the field names listed in the fields configuration property.',
      },
      {
        name: 'operation',
        type: 'STRING',
        importance: 'HIGH',
        documentation:
          "Either 'move' if the fields are to be moved to the headers (removed from the key/value), or 'copy' if the fields are to be copied to the headers (retained in the key/value).",
      },
    ]
  }
  configure(properties: Properties): void {
    this.fields = listOption(properties.fields)
    this.headers = listOption(properties.headers)
    if (this.fields.length !== this.headers.length)
      throw new Error("'fields' config must have the same number of elements as 'headers' config.")
    const operation = properties.operation ?? ''
    if (operation !== 'move' && operation !== 'copy')
      throw new Error(
        `Invalid value ${operation} for configuration operation: String must be one of: move, copy`,
      )
    this.move = operation === 'move'
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    const object = { ...requireObject(value, 'header from') }
    const headers = [...record.headers]
    this.fields.forEach((field, index) => {
      const fieldSchema = schema?.fields?.find((f) => f.field === field)
      headers.push({ key: this.headers[index], schema: fieldSchema ?? null, value: object[field] ?? null })
      if (this.move) delete object[field]
    })
    const newSchema =
      schema === null || !this.move
        ? schema
        : { ...schema, fields: (schema.fields ?? []).filter((f) => !this.fields.includes(f.field)) }
    return { ...withPart(record, this.part, newSchema, object), headers }
  }
}

/** Filter: drops every record it applies to (use it with a predicate). */
export class Filter implements Transformation {
  config(): ConfigDef {
    return []
  }
  configure(): void {}
  apply<R extends ConnectRecord>(): R | null {
    return null
  }
}

export class TopicNameMatches implements Predicate {
  private pattern = /^$/
  config(): ConfigDef {
    return [
      {
        name: 'pattern',
        type: 'STRING',
        importance: 'MEDIUM',
        documentation: "A Java regular expression for matching against the name of a record's topic.",
      },
    ]
  }
  configure(properties: Properties): void {
    this.pattern = new RegExp(`^(?:${properties.pattern ?? ''})$`)
  }
  test(record: ConnectRecord): boolean {
    return this.pattern.test(record.topic)
  }
}

export class HasHeaderKey implements Predicate {
  private name = ''
  config(): ConfigDef {
    return [{ name: 'name', type: 'STRING', importance: 'MEDIUM', documentation: 'The header name.' }]
  }
  configure(properties: Properties): void {
    this.name = properties.name ?? ''
  }
  test(record: ConnectRecord): boolean {
    return record.headers.some((header) => header.key === this.name)
  }
}

export class RecordIsTombstone implements Predicate {
  config(): ConfigDef {
    return []
  }
  configure(): void {}
  test(record: ConnectRecord): boolean {
    return record.value === null
  }
}
