// Export and import of a range of messages, without UI. An export is JSON lines, one record a line, with
// the bytes kept exactly: {"topic","partition","offset","timestamp","key","value","headers":[{"key",
// "value"}]} where key, value and header values are base64 (or null). A time range becomes an offset range
// per partition the way ListOffsets answers (the first record at or after each time), so an export is a
// contiguous slice of each partition. An import produces the lines in order, in chunks, keeping
// timestamps, headers (repeated names and order included) and, when asked, the partition.

import { api, type Message, type TopicDetail } from './api.ts'

/** Records per browse request (the API's maximum) and per produce request of an import. */
const readChunk = 1000
const writeChunk = 500
const writeChunkBytes = 4 * 1024 * 1024
/** An export stops at this many records (the file is built in the page's memory). */
export const exportRecordsMax = 1_000_000

export interface ExportedRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: Array<{ key: string; value: string | null }>
}

export type RangeBound = { kind: 'offset'; offset: number } | { kind: 'timestamp'; timestamp: number }

export interface ExportRange {
  partitions: number[]
  /** Inclusive start. */
  start: RangeBound | { kind: 'oldest' }
  /** Exclusive end: before this offset, or before the first record at or after this time. */
  end: RangeBound | { kind: 'newest' }
}

function base64Of(field: Message['value']): string | null {
  if (field === null) return null
  if (field.encoding !== 'base64') throw new Error(`expected base64 from the API, got ${field.encoding}`)
  return String(field.data)
}

/** The offset a bound names in one partition (the high watermark for newest or a time after the last record). */
async function offsetOf(
  topic: TopicDetail,
  partition: number,
  bound: ExportRange['start' | 'end'],
): Promise<number> {
  const detail = topic.partitionDetails.find((item) => item.partition === partition)
  if (bound.kind === 'oldest') return detail?.logStartOffset ?? 0
  if (bound.kind === 'offset') return bound.offset
  if (bound.kind === 'newest') {
    const result = await api.browse(topic.name, partition, { offset: 0, limit: 1, encoding: 'base64' })
    return result.highWatermark
  }
  const found = await api.browse(topic.name, partition, {
    timestamp: bound.timestamp,
    limit: 1,
    encoding: 'base64',
  })
  return found.messages[0]?.offset ?? found.highWatermark
}

/** The records of the range, partition by partition in offset order. */
export async function exportRange(
  topic: TopicDetail,
  range: ExportRange,
  onProgress: (records: number) => void,
): Promise<ExportedRecord[]> {
  const records: ExportedRecord[] = []
  for (const partition of range.partitions) {
    let position = await offsetOf(topic, partition, range.start)
    const end = await offsetOf(topic, partition, range.end)
    while (position < end) {
      if (records.length >= exportRecordsMax)
        throw new Error(`an export holds at most ${exportRecordsMax} records`)
      const page = await api.browse(topic.name, partition, {
        offset: position,
        limit: readChunk,
        encoding: 'base64',
      })
      for (const message of page.messages) {
        if (message.offset >= end) break
        records.push({
          topic: topic.name,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: base64Of(message.key),
          value: base64Of(message.value),
          headers: message.headers.map((header) => ({ key: header.key, value: base64Of(header.value) })),
        })
      }
      onProgress(records.length)
      // No progress: the rest of the range was deleted or is past the high watermark.
      if (page.nextOffset <= position || page.messages.length === 0) break
      position = page.nextOffset
    }
  }
  return records
}

export function exportLines(records: ExportedRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('')
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string'
}

/** The records of an export file; a line that is not one is an error naming its line number. */
export function parseExport(text: string): ExportedRecord[] {
  const records: ExportedRecord[] = []
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    let parsed: Partial<ExportedRecord>
    try {
      parsed = JSON.parse(line) as Partial<ExportedRecord>
    } catch {
      throw new Error(`line ${index + 1} is not JSON`)
    }
    const headers = parsed.headers ?? []
    if (
      typeof parsed.partition !== 'number' ||
      typeof parsed.timestamp !== 'number' ||
      !isNullableString(parsed.key) ||
      !isNullableString(parsed.value) ||
      !Array.isArray(headers) ||
      !headers.every((header) => typeof header?.key === 'string' && isNullableString(header.value))
    )
      throw new Error(
        `line ${index + 1} is not an exported record (partition, timestamp, key, value, headers)`,
      )
    records.push({ ...(parsed as ExportedRecord), headers })
  }
  return records
}

/** Produces the records into `topic` in order; `keepPartitions` writes each to its exported partition,
 * otherwise they go by key (round-robin without one). */
export async function importRecords(
  topic: string,
  records: ExportedRecord[],
  keepPartitions: boolean,
  onProgress: (records: number) => void,
): Promise<number> {
  let at = 0
  while (at < records.length) {
    // At most writeChunk records and about writeChunkBytes of base64 per request (the API takes 16 MiB).
    let size = 0
    let count = 0
    while (at + count < records.length && count < writeChunk && (count === 0 || size < writeChunkBytes)) {
      const record = records[at + count]
      size += (record.key?.length ?? 0) + (record.value?.length ?? 0)
      for (const header of record.headers) size += header.key.length + (header.value?.length ?? 0)
      count += 1
    }
    const chunk = records.slice(at, at + count)
    await api.produceMessages(topic, {
      keyEncoding: 'base64',
      valueEncoding: 'base64',
      headerEncoding: 'base64',
      messages: chunk.map((record) => ({
        ...(keepPartitions ? { partition: record.partition } : {}),
        key: record.key,
        value: record.value,
        headers: record.headers,
        timestamp: record.timestamp,
      })),
    })
    at += count
    onProgress(at)
  }
  return records.length
}
