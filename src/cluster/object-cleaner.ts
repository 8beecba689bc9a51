// Deletes from the object store the objects queued in deleted_objects (log-start.ts: no index row
// refers to them any more), once they have been queued for objectDeleteDelayMs: a Fetch that read the
// index just before the rows went may still be reading the object. Any broker may run it (each sync
// round, a bounded batch); deleting an object twice is harmless, so brokers need not coordinate.

import type { ObjectStore } from '../storage/tiered/object-store.ts'
import type { MetadataDatabase } from './database.ts'
import { msInterval } from './membership.ts'

/** Objects deleted per round at most (one DeleteObjects request carries up to 1000). */
const objectsPerRoundMax = 500

/** Deletes the objects whose delay has passed; returns how many. */
export async function deleteQueuedObjects(
  database: MetadataDatabase,
  store: ObjectStore,
  delayMs: number,
): Promise<number> {
  const rows = await database.query<{ object_key: string }>(
    `SELECT object_key FROM deleted_objects WHERE deleted_at <= now() - ${msInterval('$1')}
     ORDER BY deleted_at LIMIT $2`,
    [delayMs, objectsPerRoundMax],
  )
  if (rows.length === 0) return 0
  const keys = rows.map((row) => row.object_key)
  await store.delete(keys)
  await database.query('DELETE FROM deleted_objects WHERE object_key = ANY($1::text[])', [keys])
  return keys.length
}
