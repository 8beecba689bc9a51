// The `key_decoded` and `value_decoded` columns of one query's scan of a topic. Before DuckDB binds
// the query (a table function's types are fixed at bind), the scanned records are looked at once:
//   - a key/value in Confluent's wire format (magic byte 0, a big-endian 4-byte schema id) names its
//     schema; every id found is looked up in the registry's own store (in-process, loaded on first
//     use; in the context Confluent's deserializer would read it from, contextForId), and the shapes of all of them are merged (schema evolution: the union of the versions'
//     fields by name; each record is decoded with the schema it was written with, fields its version
//     lacks are NULL);
//   - other values are parsed as JSON, and the first jsonSampleSize of them give an inferred shape.
// Both merge into the column's type. A record whose bytes do not decode (not JSON, an unknown id, a
// payload that does not fit its schema) is NULL in the column, as is a value that does not fit the
// type (read_json would stop the query; a log of mixed records should not).

import type { DuckDBType, DuckDBValue } from '@duckdb/node-api'
import type { RegistryRuntime } from '../../registry/runtime.ts'
import { contextOfId, defaultContext } from '../../registry/store/contexts.ts'
import type { RegistryStore } from '../../registry/store/registry-store.ts'
import { type BatchRows, decodeBatchRows, textOf } from '../record-columns.ts'
import type { ScannedTopic } from '../topic-scan.ts'
import { jsonSampleSize, shapeOfJson } from './json-inference.ts'
import { type WireDecoder, wireDecoderOf } from './registry-shapes.ts'
import { duckDbTypeOf, duckDbValueOf, mergeShapes, nullShape, type Shape } from './shape.ts'

const wireHeaderBytes = 5

/** One decoded column: its type, and a record's bytes as a value of it. */
export interface DecodedColumn {
  type: DuckDBType
  valueOf(data: Buffer, start: number, end: number): DuckDBValue
}

export interface DecodedColumns {
  key: DecodedColumn
  value: DecodedColumn
}

/** The schema id of a range in the wire format, or null. */
export function schemaIdOf(data: Buffer, start: number, end: number): number | null {
  if (start < 0 || end - start < wireHeaderBytes || data[start] !== 0) return null
  return data.readInt32BE(start + 1)
}

function parseJson(data: Buffer, start: number, end: number): { value: unknown } | null {
  const text = textOf(data, start, end)
  if (text === null) return null
  try {
    return { value: JSON.parse(text) }
  } catch {
    return null
  }
}

class ColumnAnalysis {
  readonly ids = new Set<number>()
  shape: Shape = nullShape
  private sampled = 0

  look(data: Buffer, start: number, end: number): void {
    if (start < 0) return
    const id = schemaIdOf(data, start, end)
    if (id !== null) {
      this.ids.add(id)
      return
    }
    if (this.sampled >= jsonSampleSize) return
    const parsed = parseJson(data, start, end)
    if (parsed === null) return
    this.sampled += 1
    this.shape = mergeShapes(this.shape, shapeOfJson(parsed.value))
  }
}

/**
 * The context whose schema an id of `subject` (the topic's `<topic>-key` / `<topic>-value`, Confluent's
 * TopicNameStrategy) names, as Confluent's deserializer looks it up (GET /schemas/ids/{id}?subject=…):
 * the default context when that subject uses the id there, else a context whose `:.ctx:<subject>` does;
 * for other subject names, the default context when it holds the id, else the first context that does.
 */
function contextForId(state: RegistryStore['state'], id: number, subject: string): string | undefined {
  const chosen = contextOfId(state, id, subject) ?? defaultContext
  if (state.spaceOf(chosen)?.contents.has(id) === true) return chosen
  return [...state.spaces.keys()].sort().find((context) => state.spaceOf(context)?.contents.has(id) === true)
}

/** The registered schemas of the ids a scan found (the store is read to its end once if one is missing). */
async function decodersOf(
  ids: ReadonlySet<number>,
  subject: string,
  registry: RegistryRuntime | undefined,
): Promise<Map<number, WireDecoder>> {
  const decoders = new Map<number, WireDecoder>()
  if (ids.size === 0 || registry === undefined) return decoders
  const store: RegistryStore = await registry.store()
  if ([...ids].some((id) => contextForId(store.state, id, subject) === undefined)) await store.refresh()
  for (const id of ids) {
    const context = contextForId(store.state, id, subject)
    if (context === undefined) continue
    try {
      decoders.set(id, wireDecoderOf(await store.parsedSchemaOf(id, context)))
    } catch {
      // A schema that does not parse decodes nothing: its records are NULL.
    }
  }
  return decoders
}

function columnOf(
  analysis: ColumnAnalysis,
  decoders: ReadonlyMap<number, WireDecoder>,
  shape: Shape,
): DecodedColumn {
  return {
    type: duckDbTypeOf(shape),
    valueOf(data, start, end) {
      if (start < 0) return null
      const id = schemaIdOf(data, start, end)
      if (id === null) {
        const parsed = parseJson(data, start, end)
        return parsed === null ? null : duckDbValueOf(parsed.value, shape)
      }
      const decoder = analysis.ids.has(id) ? decoders.get(id) : undefined
      if (decoder === undefined) return null
      try {
        return duckDbValueOf(decoder.decode(data.subarray(start + wireHeaderBytes, end)), shape)
      } catch {
        return null
      }
    },
  }
}

type Side = 'key' | 'value'

function rangesOf(rows: BatchRows, side: Side): [Int32Array, Int32Array] {
  return side === 'key' ? [rows.keyStart, rows.keyEnd] : [rows.valueStart, rows.valueEnd]
}

/** Looks at every scanned record once and gives the decoded columns' types and decoders. */
export async function analyzeTopic(
  topic: ScannedTopic,
  registry: RegistryRuntime | undefined,
): Promise<DecodedColumns> {
  const analyses = { key: new ColumnAnalysis(), value: new ColumnAnalysis() }
  const decodedBatches = topic.batches.map((batch) => ({ batch, rows: decodeBatchRows(batch, topic.spec) }))
  for (const { batch, rows } of decodedBatches) {
    for (const side of ['key', 'value'] as const) {
      const [starts, ends] = rangesOf(rows, side)
      for (let row = 0; row < rows.count; row++) analyses[side].look(batch.records, starts[row], ends[row])
    }
  }
  const result: Partial<DecodedColumns> = {}
  for (const side of ['key', 'value'] as const) {
    const analysis = analyses[side]
    const decoders = await decodersOf(analysis.ids, `${topic.spec.topic}-${side}`, registry)
    // Each schema's shape (Protobuf: each message's the payloads name) joins the inferred one.
    const shapes = new Set<Shape>()
    for (const { batch, rows } of decoders.size === 0 ? [] : decodedBatches) {
      const [starts, ends] = rangesOf(rows, side)
      for (let row = 0; row < rows.count; row++) {
        const id = schemaIdOf(batch.records, starts[row], ends[row])
        const decoder = id === null ? undefined : decoders.get(id)
        if (decoder === undefined) continue
        try {
          shapes.add(decoder.shapeOf(batch.records.subarray(starts[row] + wireHeaderBytes, ends[row])))
        } catch {
          // Message indexes that name no message: the record is NULL.
        }
      }
    }
    const shape = [...shapes].reduce(mergeShapes, analysis.shape)
    result[side] = columnOf(analysis, decoders, shape)
  }
  return result as DecodedColumns
}
