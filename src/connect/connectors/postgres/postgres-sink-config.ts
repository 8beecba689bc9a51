// The PostgreSQL sink's options: Confluent's JDBC sink connector names and defaults
// (io.confluent.connect.jdbc.JdbcSinkConnector), for PostgreSQL only.

import { atLeast, type ConfigDef, oneOf } from '../../sdk/config-def.ts'

/** Confluent's placeholder for the record's topic in table.name.format (a literal, not a template). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text ${topic}
export const topicPlaceholder = '${topic}'

export const sinkDefinition: ConfigDef = [
  {
    name: 'connection.url',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'JDBC connection URL: jdbc:postgresql://host[:port]/database',
    validate: (value) =>
      typeof value === 'string' && /^jdbc:postgresql:\/\/[^/:]+(:\d+)?\/[^?]+/.test(value)
        ? null
        : 'must be jdbc:postgresql://host[:port]/database',
  },
  {
    name: 'connection.user',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'JDBC connection user.',
  },
  {
    name: 'connection.password',
    type: 'PASSWORD',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'JDBC connection password.',
  },
  {
    name: 'insert.mode',
    type: 'STRING',
    defaultValue: 'insert',
    importance: 'HIGH',
    documentation: 'insert: INSERT; upsert: INSERT … ON CONFLICT (pk) DO UPDATE; update: UPDATE by pk.',
    validate: oneOf('insert', 'upsert', 'update'),
  },
  {
    name: 'pk.mode',
    type: 'STRING',
    defaultValue: 'none',
    importance: 'HIGH',
    documentation:
      'none, kafka (__connect_topic/__connect_partition/__connect_offset), record_key, record_value.',
    validate: oneOf('none', 'kafka', 'record_key', 'record_value'),
  },
  {
    name: 'pk.fields',
    type: 'LIST',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation: 'The primary key fields (all struct fields of the key for record_key when empty).',
  },
  {
    name: 'table.name.format',
    type: 'STRING',
    defaultValue: topicPlaceholder,
    importance: 'MEDIUM',
    documentation: `The destination table name; ${topicPlaceholder} is the record topic.`,
  },
  {
    name: 'auto.create',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation: 'Create the table from the record schema when it is missing.',
  },
  {
    name: 'auto.evolve',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation: 'Add columns for new (optional) fields of the record schema.',
  },
  {
    name: 'delete.enabled',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation: 'Delete the row of a tombstone record (needs pk.mode=record_key).',
  },
  {
    name: 'batch.size',
    type: 'INT',
    defaultValue: 3000,
    importance: 'MEDIUM',
    documentation: 'Records written per transaction.',
    validate: atLeast(1),
  },
]
