// The JSON shapes routes answer with (Confluent's Schema and SchemaString entities): schemaType left
// out for AVRO, references left out when empty, metadata and ruleSet as stored.

import type { SchemaValue } from './store/records.ts'
import type { SchemaContent } from './store/state.ts'

function typeAndReferences(
  content: Pick<SchemaContent, 'schemaType' | 'references'>,
): Record<string, unknown> {
  return {
    ...(content.schemaType === 'AVRO' ? {} : { schemaType: content.schemaType }),
    ...(content.references.length === 0 ? {} : { references: content.references }),
  }
}

/** A subject-version: GET /subjects/{s}/versions/{v}, POST /subjects/{s}, GET /schemas. */
export function schemaView(value: SchemaValue): Record<string, unknown> {
  return {
    subject: value.subject,
    version: value.version,
    id: value.id,
    ...typeAndReferences(value),
    ...(value.metadata === undefined ? {} : { metadata: value.metadata }),
    ...(value.ruleSet === undefined ? {} : { ruleSet: value.ruleSet }),
    schema: value.schema,
    ...(value.deleted ? { deleted: true } : {}),
  }
}

/** A schema by id: GET /schemas/ids/{id}. */
export function schemaStringView(
  content: SchemaContent,
  extra: { metadata?: unknown; ruleSet?: unknown },
): Record<string, unknown> {
  return {
    ...typeAndReferences(content),
    ...(extra.metadata === undefined ? {} : { metadata: extra.metadata }),
    ...(extra.ruleSet === undefined ? {} : { ruleSet: extra.ruleSet }),
    schema: content.schema,
  }
}
