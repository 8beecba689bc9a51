// The formats by schemaType, each loaded on first use (protobufjs and ajv only when a PROTOBUF or
// JSON schema is first seen).

import type { SchemaType } from '../store/records.ts'
import type { SchemaFormat } from './types.ts'

const loaded = new Map<SchemaType, Promise<SchemaFormat>>()

function load(schemaType: SchemaType): Promise<SchemaFormat> {
  switch (schemaType) {
    case 'AVRO':
      return import('./avro.ts').then((module) => module.avroFormat)
    case 'JSON':
      return import('./json-schema.ts').then((module) => module.jsonSchemaFormat)
    case 'PROTOBUF':
      return import('./protobuf.ts').then((module) => module.protobufFormat)
  }
}

export function formatFor(schemaType: SchemaType): Promise<SchemaFormat> {
  let format = loaded.get(schemaType)
  if (format === undefined) {
    format = load(schemaType)
    loaded.set(schemaType, format)
  }
  return format
}

export const schemaTypes: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF']
