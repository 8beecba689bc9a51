// Deterministic test records for data-path tests, in one JSON-friendly shape shared by every client
// driver (Node clients in-process, Python clients and kcat in child processes), and an exact
// comparison that reports the first difference instead of a 10,000-record diff.
//
// Record i goes to partition i % partitions with key `key-<i>`, value `value-<i>-<source>-` followed
// by a varying run of letters, headers [["index", i], ["source", source]] and timestamp
// `timestampBase + i`. Produced in order to a fresh topic, record i therefore lands at offset
// floor(i / partitions) of its partition.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Explicit timestamps start here (2023-11-14): far from "now", so a broker-assigned time would show. */
export const timestampBase = 1_700_000_000_000

export interface TestRecord {
  partition: number
  /** Null when the client cannot report it (never for a consumed record). */
  offset: number | null
  key: string | null
  value: string | null
  /** In order; a header value may be null. */
  headers: [string, string | null][]
  timestamp: number
}

export interface RecordsOptions {
  count: number
  partitions: number
  /** Goes into values and headers, so data produced by one client cannot pass for another's. */
  source: string
  /** Default true; kcat cannot set per-record headers. */
  headers?: boolean
  /** Appended to every value; make it repetitive so a codec really compresses (some clients skip useless compression). */
  valuePadding?: string
}

const letters = 'abcdefghijklmnopqrstuvwxyz'

export function makeRecords(options: RecordsOptions): TestRecord[] {
  const records: TestRecord[] = []
  for (let index = 0; index < options.count; index++) {
    const padding = letters.slice(0, index % 26).repeat(1 + (index % 3))
    records.push({
      partition: index % options.partitions,
      offset: Math.floor(index / options.partitions),
      key: `key-${index}`,
      value: `value-${index}-${options.source}-${padding}${options.valuePadding ?? ''}`,
      headers:
        options.headers === false
          ? []
          : [
              ['index', String(index)],
              ['source', options.source],
            ],
      timestamp: timestampBase + index,
    })
  }
  return records
}

/** Writes records as JSON for a child-process producer; returns the file path. */
export async function writeRecordsFile(dir: string, name: string, records: TestRecord[]): Promise<string> {
  const path = join(dir, `${name}.json`)
  await writeFile(path, JSON.stringify(records))
  return path
}

function describeRecord(record: TestRecord | undefined): string {
  return record === undefined ? 'nothing' : JSON.stringify(record)
}

/**
 * Checks that each partition's records arrived in strictly increasing offset order (as delivered),
 * then that the set, sorted by partition and offset, equals `expected` exactly. Assertion messages
 * name the first differing record.
 */
export function assertSameRecords(actual: TestRecord[], expected: TestRecord[], what: string): void {
  const lastOffset = new Map<number, number>()
  for (const record of actual) {
    const previous = lastOffset.get(record.partition) ?? -1
    assert.ok(
      record.offset !== null && record.offset > previous,
      `${what}: partition ${record.partition} delivered offset ${record.offset} after ${previous}`,
    )
    lastOffset.set(record.partition, record.offset)
  }
  const order = (a: TestRecord, b: TestRecord) =>
    a.partition - b.partition || (a.offset ?? 0) - (b.offset ?? 0)
  const sortedActual = [...actual].sort(order)
  const sortedExpected = [...expected].sort(order)
  const length = Math.max(sortedActual.length, sortedExpected.length)
  for (let index = 0; index < length; index++) {
    const got = sortedActual[index]
    const want = sortedExpected[index]
    if (got === undefined || want === undefined || JSON.stringify(got) !== JSON.stringify(want)) {
      assert.fail(
        `${what}: ${sortedActual.length} records read, ${sortedExpected.length} expected; ` +
          `first difference at sorted position ${index}:\n  got      ${describeRecord(got)}\n  expected ${describeRecord(want)}`,
      )
    }
  }
}

/** Normalizes a record to the exact key order JSON comparison needs. */
export function testRecord(fields: TestRecord): TestRecord {
  return {
    partition: fields.partition,
    offset: fields.offset,
    key: fields.key,
    value: fields.value,
    headers: fields.headers,
    timestamp: fields.timestamp,
  }
}
