// One record as the consume-side commands see it, whichever way it was read (a plain fetch loop or a
// group consumer), and how it is printed: `text` is tab-separated, optional columns first and the
// value last (raw bytes, so a pipe gets exactly what was stored); `json` is one object per line.
export interface ConsumedRecord {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: [Buffer | null, Buffer | null][]
}

export interface PrintOptions {
  json: boolean
  showKeys: boolean
  showTimestamps: boolean
  showOffsets: boolean
  showHeaders: boolean
}

function text(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8')
}

function headersText(headers: ConsumedRecord['headers']): string {
  return headers.map(([key, value]) => `${text(key) ?? ''}=${text(value) ?? ''}`).join(',')
}

/** The --jq result that replaces the value, as text and as the value itself. */
export interface Projection {
  projected?: string
  projectedValue?: unknown
}

/** The printed form of a record; a --jq projection replaces the value. */
export function formatRecord(record: ConsumedRecord, projection: Projection, options: PrintOptions): Buffer {
  const projected = projection.projected
  if (options.json) {
    const document = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset.toString(),
      timestamp: Number(record.timestamp),
      key: text(record.key),
      value: projected === undefined ? text(record.value) : projection.projectedValue,
      headers: record.headers.map(([key, value]) => ({ key: text(key), value: text(value) })),
    }
    return Buffer.from(`${JSON.stringify(document)}\n`)
  }
  const columns: string[] = []
  if (options.showOffsets) columns.push(`${record.partition}:${record.offset}`)
  if (options.showTimestamps) columns.push(new Date(Number(record.timestamp)).toISOString())
  if (options.showHeaders) columns.push(headersText(record.headers))
  if (options.showKeys) columns.push(text(record.key) ?? 'null')
  const prefix = columns.length === 0 ? '' : `${columns.join('\t')}\t`
  if (projected !== undefined) return Buffer.from(`${prefix}${projected}\n`)
  if (prefix === '')
    return record.value === null ? Buffer.from('\n') : Buffer.concat([record.value, Buffer.from('\n')])
  return Buffer.concat([Buffer.from(prefix), record.value ?? Buffer.alloc(0), Buffer.from('\n')])
}
