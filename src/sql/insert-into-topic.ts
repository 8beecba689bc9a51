// INSERT INTO streamline_topic('<topic>') SELECT …: the SELECT's rows become records of an existing
// topic, written like the admin API's produce (one v2 batch per partition and chunk, the topic's rules
// applied, acks=all). Columns are taken by name: `value` (required), `key`, `partition`, `timestamp`,
// `headers` (a list of {key, value} structs or a MAP); other columns are refused so a typo is not
// silently dropped. Text is written as UTF-8, BLOBs as they are, anything else as its JSON text.
// Without a partition, a keyed record goes where Kafka clients put it (murmur2), others round-robin.

import type { DuckDBResultReader, DuckDBType, DuckDBValue } from '@duckdb/node-api'
import { DuckDBBlobValue, DuckDBListValue, DuckDBMapValue, DuckDBStructValue } from '@duckdb/node-api'
import { partitionForKey } from '../http/message-codec.ts'
import { appendRecords } from '../http/messages.ts'
import type { RecordHeader, RecordInput } from '../protocol/records/record.ts'
import type { LogManager } from '../storage/types.ts'
import { SqlError } from './errors.ts'
import { jsonValueConverter } from './result-json.ts'

export const insertColumns = new Set(['key', 'value', 'partition', 'timestamp', 'headers'])
/** Records per appended batch (keeps each batch well under max.message.bytes defaults). */
const recordsPerBatch = 500

function bytesOf(value: DuckDBValue, type: DuckDBType): Buffer | null {
  if (value === null) return null
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes)
  return Buffer.from(JSON.stringify(jsonValueConverter(value, type, jsonValueConverter)), 'utf8')
}

function timestampOf(value: DuckDBValue, fallbackMs: number): number {
  if (value === null) return fallbackMs
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value)
  if (typeof value === 'object' && 'micros' in value && typeof value.micros === 'bigint') {
    return Number(value.micros / 1000n)
  }
  if (typeof value === 'object' && 'millis' in value && typeof value.millis === 'bigint')
    return Number(value.millis)
  throw new SqlError('INVALID_SQL', 'the timestamp column must be a TIMESTAMP or epoch milliseconds')
}

function headersOf(value: DuckDBValue): RecordHeader[] {
  if (value === null) return []
  const text = (item: DuckDBValue): Buffer | null =>
    item === null
      ? null
      : item instanceof DuckDBBlobValue
        ? Buffer.from(item.bytes)
        : Buffer.from(String(item), 'utf8')
  if (value instanceof DuckDBMapValue) {
    return value.entries.map((entry) => ({ key: String(entry.key), value: text(entry.value) }))
  }
  if (value instanceof DuckDBListValue) {
    return value.items.map((item) => {
      if (!(item instanceof DuckDBStructValue)) {
        throw new SqlError('INVALID_SQL', 'headers must be a list of {key, value} structs or a MAP')
      }
      return { key: String(item.entries.key), value: text(item.entries.value ?? null) }
    })
  }
  throw new SqlError('INVALID_SQL', 'headers must be a list of {key, value} structs or a MAP')
}

/** Writes the reader's rows (already read) to `topicName`. Returns the count written. */
export async function writeRowsToTopic(
  logs: LogManager,
  topicName: string,
  reader: DuckDBResultReader,
): Promise<{ topic: string; records: number }> {
  const topic = logs.getTopic(topicName)
  if (topic === undefined)
    throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topicName} does not exist`)
  const names = reader.columnNames()
  const types = reader.columnTypes()
  const unknown = names.filter((name) => !insertColumns.has(name))
  if (unknown.length > 0 || !names.includes('value')) {
    throw new SqlError(
      'INVALID_SQL',
      `INSERT INTO streamline_topic takes columns value (required), key, partition, timestamp, headers; got ${names.join(', ')}`,
    )
  }
  const column = (name: string): number => names.indexOf(name)
  const nowMs = Date.now()
  const byPartition = new Map<number, RecordInput[]>()
  reader.getRows().forEach((row, index) => {
    const cell = (name: string): DuckDBValue => (column(name) < 0 ? null : row[column(name)])
    const key = column('key') < 0 ? null : bytesOf(cell('key'), types[column('key')])
    const givenPartition = cell('partition')
    const partition =
      givenPartition !== null
        ? Number(givenPartition)
        : key === null
          ? index % topic.partitionCount
          : partitionForKey(key, topic.partitionCount)
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitionCount) {
      throw new SqlError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `partition ${topicName}-${String(givenPartition)} does not exist`,
      )
    }
    const records = byPartition.get(partition) ?? []
    byPartition.set(partition, records)
    records.push({
      timestamp: timestampOf(cell('timestamp'), nowMs),
      key,
      value: bytesOf(cell('value'), types[column('value')]),
      headers: headersOf(cell('headers')),
    })
  })
  let written = 0
  for (const [partition, records] of byPartition) {
    const log = logs.partition(topicName, partition)
    if (log === undefined)
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topicName}-${partition} does not exist`)
    for (let start = 0; start < records.length; start += recordsPerBatch) {
      const chunk = records.slice(start, start + recordsPerBatch)
      await appendRecords(log, topic, chunk)
      written += chunk.length
    }
  }
  return { topic: topicName, records: written }
}
