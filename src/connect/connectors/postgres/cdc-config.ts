// The PostgreSQL CDC source's options: Debezium's names and defaults (io.debezium.connector.postgresql).

import { atLeast, type ConfigDef, oneOf } from '../../sdk/config-def.ts'
import { connectionDefinition } from './pg-connection.ts'

export const cdcDefinition: ConfigDef = [
  ...connectionDefinition,
  {
    name: 'topic.prefix',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Topic prefix that identifies this database server; topics are <prefix>.<schema>.<table>.',
  },
  {
    name: 'plugin.name',
    type: 'STRING',
    defaultValue: 'pgoutput',
    importance: 'MEDIUM',
    documentation: 'The logical decoding plugin (only pgoutput, built into PostgreSQL 10+).',
    validate: oneOf('pgoutput'),
  },
  {
    name: 'slot.name',
    type: 'STRING',
    defaultValue: 'debezium',
    importance: 'MEDIUM',
    documentation: 'The name of the PostgreSQL logical decoding slot.',
  },
  {
    name: 'publication.name',
    type: 'STRING',
    defaultValue: 'dbz_publication',
    importance: 'MEDIUM',
    documentation: 'The name of the PostgreSQL publication.',
  },
  {
    name: 'publication.autocreate.mode',
    type: 'STRING',
    defaultValue: 'all_tables',
    importance: 'MEDIUM',
    documentation:
      'all_tables: CREATE PUBLICATION … FOR ALL TABLES; filtered: for the included tables; disabled: it must exist.',
    validate: oneOf('all_tables', 'filtered', 'disabled'),
  },
  {
    name: 'table.include.list',
    type: 'LIST',
    defaultValue: '',
    importance: 'HIGH',
    documentation:
      'Regular expressions matching the fully-qualified names (schema.table) of the tables to capture; empty: every table of the publication.',
  },
  {
    name: 'snapshot.mode',
    type: 'STRING',
    defaultValue: 'initial',
    importance: 'MEDIUM',
    documentation:
      'initial: read the tables once when there is no stored offset, then stream; no_data (or never): stream only.',
    validate: oneOf('initial', 'no_data', 'never'),
  },
  {
    name: 'tombstones.on.delete',
    type: 'BOOLEAN',
    defaultValue: true,
    importance: 'MEDIUM',
    documentation: 'Whether a delete event is followed by a tombstone (the key with a null value).',
  },
  {
    name: 'status.update.interval.ms',
    type: 'INT',
    defaultValue: 10_000,
    importance: 'LOW',
    documentation:
      'How often the committed LSN is sent to the server (it also answers every keepalive request).',
    validate: atLeast(100),
  },
  {
    name: 'max.batch.size',
    type: 'INT',
    defaultValue: 2048,
    importance: 'LOW',
    documentation: 'The most records one poll returns (and the rows one snapshot read fetches).',
    validate: atLeast(1),
  },
  {
    name: 'max.queue.size',
    type: 'INT',
    defaultValue: 8192,
    importance: 'LOW',
    documentation: 'Records waiting for the runtime above which the replication stream is paused.',
    validate: atLeast(1),
  },
]
