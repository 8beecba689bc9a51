// The message browser's logic without UI: where each partition's page starts, fetching and merging a
// page over partitions, and showing bytes as JSON / text / hex.

import { api, type EncodedBytes, type Message, type TopicDetail } from './api.ts'

export type StartFrom = 'newest' | 'oldest' | 'offset' | 'timestamp'
export type ViewMode = 'json' | 'text' | 'hex'

export interface BrowseRequest {
  partitions: number[]
  from: StartFrom
  offset: number
  timestamp: number
  /** Per-partition positions when paging (overrides `from`). */
  positions: Map<number, number> | null
  filter: string
  filterMode: 'text' | 'regex'
  pageSize: number
  encoding: 'auto' | 'base64'
  /** Decode Confluent wire-format keys and values through the schema registry. */
  decode: boolean
}

export interface BrowsePage {
  messages: Message[]
  /** Where each partition's next page starts. */
  next: Map<number, number>
  /** Where each partition's page started. */
  starts: Map<number, number>
  /** True when some partition has more after this page. */
  more: boolean
}

export function parsePositions(text: string | null): Map<number, number> | null {
  if (text === null || text === '') return null
  const positions = new Map<number, number>()
  for (const part of text.split(',')) {
    const [partition, offset] = part.split(':').map(Number)
    if (Number.isInteger(partition) && Number.isInteger(offset)) positions.set(partition, offset)
  }
  return positions.size === 0 ? null : positions
}

export function formatPositions(positions: Map<number, number>): string {
  return [...positions].map(([partition, offset]) => `${partition}:${offset}`).join(',')
}

function startOf(
  topic: TopicDetail,
  partition: number,
  request: BrowseRequest,
): { offset?: number; timestamp?: number } {
  const position = request.positions?.get(partition)
  if (position !== undefined) return { offset: position }
  const detail = topic.partitionDetails.find((item) => item.partition === partition)
  const logStart = detail?.logStartOffset ?? 0
  switch (request.from) {
    case 'oldest':
      return { offset: logStart }
    case 'offset':
      return { offset: Math.max(request.offset, 0) }
    case 'timestamp':
      return { timestamp: Math.max(request.timestamp, 0) }
    case 'newest':
      // A search scans forward, so "newest" searches the whole log; otherwise the last page.
      return {
        offset:
          request.filter !== ''
            ? logStart
            : Math.max((detail?.highWatermark ?? 0) - request.pageSize, logStart),
      }
  }
}

export async function browse(topic: TopicDetail, request: BrowseRequest): Promise<BrowsePage> {
  const results = await Promise.all(
    request.partitions.map(async (partition) => {
      const start = startOf(topic, partition, request)
      const result = await api.browse(topic.name, partition, {
        ...start,
        limit: request.pageSize,
        encoding: request.encoding,
        ...(request.decode ? { decode: 'registry' as const } : {}),
        ...(request.filter === '' ? {} : { filter: request.filter, filterMode: request.filterMode }),
      })
      return { partition, start: start.offset ?? result.messages[0]?.offset ?? result.nextOffset, result }
    }),
  )
  const messages = results
    .flatMap(({ result }) => result.messages)
    .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset)
  return {
    messages,
    next: new Map(results.map(({ partition, result }) => [partition, result.nextOffset])),
    starts: new Map(results.map(({ partition, start }) => [partition, start])),
    more: results.some(({ result }) => result.nextOffset < result.highWatermark),
  }
}

function bytesOfBase64(data: string): Uint8Array {
  const binary = atob(data)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index)
  return bytes
}

function hexOf(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16)
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')
    const text = [...row]
      .map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.'))
      .join('')
    lines.push(`${at.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${text}`)
  }
  return lines.join('\n')
}

/** The field as the chosen view shows it (hex and text views are given base64 data by the API). */
export function showBytes(field: EncodedBytes | null, mode: ViewMode): string {
  if (field === null) return 'null'
  if (field.encoding === 'json')
    return mode === 'json' ? JSON.stringify(field.data, null, 2) : JSON.stringify(field.data)
  if (field.encoding === 'text') return String(field.data)
  const bytes = bytesOfBase64(String(field.data))
  if (mode === 'hex') return hexOf(bytes)
  const text = new TextDecoder('utf-8').decode(bytes)
  if (mode === 'json') {
    try {
      return JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      return text
    }
  }
  return text
}

/** One message as a JSON line for downloads: key/value/headers as text (or base64 when binary). */
export function jsonLine(topic: string, message: Message): string {
  const plain = (field: EncodedBytes | null) =>
    field === null ? null : field.encoding === 'json' ? JSON.stringify(field.data) : field.data
  return JSON.stringify({
    topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: plain(message.key),
    value: plain(message.value),
    headers: Object.fromEntries(message.headers.map((header) => [header.key, plain(header.value)])),
  })
}
