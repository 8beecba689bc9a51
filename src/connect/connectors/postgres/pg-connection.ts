// The PostgreSQL connection options shared by the CDC source and the sink (Debezium's `database.*`
// names), and clients made from them. `pg` is imported on first use, so loading the connector list
// does not load the driver. Every value is read as text (no type parsing): column-types.ts maps it.

import type pg from 'pg'
import type { ConfigDef, ParsedConfig } from '../../sdk/config-def.ts'

export const connectionDefinition: ConfigDef = [
  {
    name: 'database.hostname',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Resolvable hostname or IP address of the database server.',
  },
  {
    name: 'database.port',
    type: 'INT',
    defaultValue: 5432,
    importance: 'HIGH',
    documentation: 'Port of the database server.',
  },
  {
    name: 'database.user',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Name of the database user to be used when connecting to the database.',
  },
  {
    name: 'database.password',
    type: 'PASSWORD',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Password of the database user to be used when connecting to the database.',
  },
  {
    name: 'database.dbname',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'The name of the database from which the connector should capture changes',
  },
]

export interface PgConnectionOptions {
  host: string
  port: number
  user: string
  password: string | null
  database: string
}

export function connectionOptions(config: ParsedConfig): PgConnectionOptions {
  return {
    host: config.string('database.hostname'),
    port: config.number('database.port'),
    user: config.string('database.user'),
    password: config.optionalString('database.password'),
    database: config.string('database.dbname'),
  }
}

const connectTimeoutMs = 30_000
const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig

/** A connected client; `replication: 'database'` makes it a logical replication connection. */
export async function connectPostgres(options: PgConnectionOptions, replication = false): Promise<pg.Client> {
  const { default: driver } = await import('pg')
  const config: pg.ClientConfig & { replication?: string } = {
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    ...(options.password === null ? {} : { password: options.password }),
    connectionTimeoutMillis: connectTimeoutMs,
    // UTC and ISO dates, so that column-types.ts reads every timestamp the same way.
    options: '-c TimeZone=UTC -c DateStyle=ISO',
    application_name: 'streamline-connect',
    types: rawText,
    ...(replication ? { replication: 'database' } : {}),
  }
  const client = new driver.Client(config)
  // An error after connecting (the server went away) must not be an uncaught 'error' event: the
  // next query fails and the task reports it.
  client.on('error', () => {})
  await client.connect()
  return client
}

/** A quoted identifier ("schema"."table" is two of them). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
