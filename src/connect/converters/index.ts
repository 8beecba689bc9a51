// Converters by Kafka's class names (and their short aliases, as Kafka's plugin aliases).

import type { Properties } from '../sdk/config-def.ts'
import { AvroConverter } from './avro-converter.ts'
import { ByteArrayConverter } from './byte-array-converter.ts'
import type { Converter } from './converter.ts'
import { JsonConverter } from './json-converter.ts'
import { JsonSchemaConverter } from './json-schema-converter.ts'
import { ProtobufConverter } from './protobuf-converter.ts'
import { StringConverter } from './string-converter.ts'

export const converterClasses: Record<string, () => Converter> = {
  'org.apache.kafka.connect.json.JsonConverter': () => new JsonConverter(),
  'org.apache.kafka.connect.storage.StringConverter': () => new StringConverter(),
  'org.apache.kafka.connect.converters.ByteArrayConverter': () => new ByteArrayConverter(),
  'io.confluent.connect.avro.AvroConverter': () => new AvroConverter(),
  'io.confluent.connect.json.JsonSchemaConverter': () => new JsonSchemaConverter(),
  'io.confluent.connect.protobuf.ProtobufConverter': () => new ProtobufConverter(),
}

const aliases: Record<string, string> = {
  JsonConverter: 'org.apache.kafka.connect.json.JsonConverter',
  StringConverter: 'org.apache.kafka.connect.storage.StringConverter',
  ByteArrayConverter: 'org.apache.kafka.connect.converters.ByteArrayConverter',
  AvroConverter: 'io.confluent.connect.avro.AvroConverter',
  JsonSchemaConverter: 'io.confluent.connect.json.JsonSchemaConverter',
  ProtobufConverter: 'io.confluent.connect.protobuf.ProtobufConverter',
}

export function converterClassName(name: string): string | null {
  const full = aliases[name.trim()] ?? name.trim()
  return full in converterClasses ? full : null
}

/** The connector's `key.converter`/`value.converter` (its `…converter.*` options passed through). */
export function createConverter(connectorProperties: Properties, options: { isKey: boolean }): Converter {
  const prefix = options.isKey ? 'key.converter' : 'value.converter'
  const className = converterClassName(
    connectorProperties[prefix] ?? 'org.apache.kafka.connect.json.JsonConverter',
  )
  if (className === null) throw new Error(`Class ${connectorProperties[prefix]} could not be found.`)
  const converter = converterClasses[className]()
  const own: Properties = {}
  for (const [key, value] of Object.entries(connectorProperties))
    if (key.startsWith(`${prefix}.`)) own[key.slice(prefix.length + 1)] = value
  converter.configure(own, options)
  return converter
}
