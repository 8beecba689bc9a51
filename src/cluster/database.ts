// The connection to the cluster's PostgreSQL: a `pg` pool, loaded on first use (a broker outside
// cluster mode never imports `pg`), and the one helper every multi-statement change goes through, so
// that what must be atomic is one database transaction (BEGIN … COMMIT, ROLLBACK on any error).
//
// Failures reaching PostgreSQL are MetadataStoreError (retriable KAFKA_STORAGE_ERROR towards clients):
// a broker that cannot reach the database refuses writes and keeps retrying its heartbeat.

import type { Pool, PoolClient, QueryResultRow } from 'pg'
import { StorageError } from '../errors.ts'

/** A query or transaction on the metadata database failed (connection lost, server down, …). */
export class MetadataStoreError extends StorageError {}

export interface MetadataDatabase {
  query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>
  /** Runs `work` in one transaction on one connection; ROLLBACK when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>
  /** LISTEN on `channel` with one connection of the pool, calling `onNotify` with each payload; the
   * connection is opened again (after a pause) when it breaks. Notifications only make things faster:
   * whoever listens also polls, so a missed one delays, never loses. Returns a function that stops. */
  listen(channel: string, onNotify: (payload: string) => void): () => void
  close(): Promise<void>
}

/** How long a broken LISTEN connection waits before it is opened again. */
const listenRetryMs = 1_000

function wrap(error: unknown): unknown {
  if (error instanceof StorageError) return error
  const detail = error instanceof Error ? error.message : String(error)
  return new MetadataStoreError(`metadata database: ${detail}`, { cause: error })
}

export async function openMetadataDatabase(options: {
  url: string
  poolSize: number
  onError: (error: Error) => void
}): Promise<MetadataDatabase> {
  const { default: pg } = await import('pg')
  // int8 (offsets) as JavaScript numbers: offsets stay below 2^53 (storage/types.ts).
  pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => Number(text))
  const pool: Pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'streamline',
  })
  // An idle connection that breaks (server restart) emits here; without a listener it would crash.
  pool.on('error', options.onError)
  return {
    async query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]> {
      try {
        return (await pool.query<Row>(text, values)).rows
      } catch (error) {
        throw wrap(error)
      }
    },
    async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
      let client: PoolClient
      try {
        client = await pool.connect()
      } catch (error) {
        throw wrap(error)
      }
      let broken = false
      try {
        await client.query('BEGIN')
        const result = await work(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true
        })
        throw wrap(error)
      } finally {
        client.release(broken)
      }
    },
    listen(channel, onNotify) {
      let stopped = false
      let current: PoolClient | null = null
      let retry: NodeJS.Timeout | null = null
      const open = async (): Promise<void> => {
        retry = null
        let client: PoolClient
        try {
          client = await pool.connect()
        } catch {
          if (!stopped) retry = setTimeout(() => void open(), listenRetryMs)
          return
        }
        if (stopped) {
          client.release()
          return
        }
        current = client
        let broken = false
        const reopen = () => {
          if (broken) return
          broken = true
          client.removeAllListeners('notification')
          client.release(true)
          if (current === client) current = null
          if (!stopped) retry = setTimeout(() => void open(), listenRetryMs)
        }
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '')
        })
        client.on('error', reopen)
        try {
          await client.query(`LISTEN ${channel}`)
        } catch {
          reopen()
        }
      }
      void open()
      return () => {
        stopped = true
        if (retry !== null) clearTimeout(retry)
        const client = current
        current = null
        if (client !== null) {
          client.removeAllListeners('notification')
          client.release(true)
        }
      }
    },
    async close() {
      await pool.end()
    },
  }
}
