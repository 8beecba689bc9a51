// Where continuous queries keep what survives a restart: the internal compacted topic
// `__streamline_queries` (one partition, total order). Record keys:
//   view/<name>        → the definition (JSON), or a tombstone after DROP;
//   checkpoint/<name>  → {offsets: {partition: next offset}} of the source topic, written after the
//                        windows touched by those records were written to the view's topic; for
//                        views also `pending` (the end offsets of the step under way, written before
//                        it starts, so a restart repeats exactly that step), `watermarkMs` and
//                        `dropped` (late records dropped so far), `deferred` (open windows touched
//                        but not written yet).
// replay() is the only way state changes, on load and after each write (the records go through the
// same function), so a restart rebuilds exactly what was acknowledged.

import assert from 'node:assert'
import { InternalTopicLog } from '../../coordinator/internal-topic-log.ts'
import { platformStateTopicSpecs } from '../../coordinator/state-topics.ts'
import type { KafkaRecord } from '../../protocol/records/record.ts'
import type { LogManager } from '../../storage/types.ts'
import type { ViewDefinition } from './definition.ts'
import { queriesTopicName } from './statements.ts'
import type { StreamDefinition } from './stream-definition.ts'

/** A materialized view or a stream (both keyed view/<name>: they share one namespace, their topics'). */
export type ContinuousDefinition = ViewDefinition | StreamDefinition

export interface StoredView {
  definition: ContinuousDefinition
  /** Next source offset per partition whose records' windows are in the view. */
  offsets: Record<number, number>
  /** The end offsets of the step under way (a restart repeats exactly this step). */
  pending?: Record<number, number>
  /** The largest event time of the records processed (views with ALLOWED LATENESS). */
  watermarkMs?: number | null
  /** Late records dropped so far. */
  dropped?: number
  /** TUMBLE/HOP: window starts [from, to) touched by processed records but not written yet (open windows). */
  deferred?: [number, number] | null
  /** Stream–stream joins: the right topic's next offsets and the end offsets of the step under way. */
  rightOffsets?: Record<number, number>
  rightPending?: Record<number, number>
}

export type Checkpoint = Omit<StoredView, 'definition'>

export class QueryStore {
  private readonly topic: InternalTopicLog
  readonly views = new Map<string, StoredView>()

  constructor(logs: LogManager) {
    const spec = platformStateTopicSpecs.find((candidate) => candidate.name === queriesTopicName)
    assert(spec !== undefined, `${queriesTopicName} is a platform state topic`)
    this.topic = new InternalTopicLog(logs, spec)
  }

  /** Whether the topic exists (no view was ever created otherwise: nothing to load). */
  exists(): boolean {
    return this.topic.logs.getTopic(queriesTopicName) !== undefined
  }

  async load(): Promise<void> {
    await this.topic.load((record) => this.replay(record))
  }

  private replay(record: KafkaRecord): void {
    const key = record.key?.toString('utf8') ?? ''
    const slash = key.indexOf('/')
    const kind = key.slice(0, slash)
    const name = key.slice(slash + 1)
    if (kind === 'view') {
      if (record.value === null) this.views.delete(name)
      else {
        // A definition written again (PAUSE / RESUME) keeps the query's checkpoint.
        const previous = this.views.get(name)
        this.views.set(name, {
          ...(previous ?? { offsets: {} }),
          definition: JSON.parse(record.value.toString('utf8')) as ContinuousDefinition,
        })
      }
    } else if (kind === 'checkpoint' && record.value !== null) {
      const view = this.views.get(name)
      if (view !== undefined) {
        const checkpoint = JSON.parse(record.value.toString('utf8')) as Checkpoint
        view.offsets = checkpoint.offsets
        view.pending = checkpoint.pending
        view.watermarkMs = checkpoint.watermarkMs
        view.dropped = checkpoint.dropped
        view.deferred = checkpoint.deferred
        view.rightOffsets = checkpoint.rightOffsets
        view.rightPending = checkpoint.rightPending
      }
    }
  }

  private async write(key: string, value: unknown): Promise<void> {
    const record = {
      key: Buffer.from(key, 'utf8'),
      value: value === null ? null : Buffer.from(JSON.stringify(value), 'utf8'),
    }
    const now = Date.now()
    await this.topic.append(key, [record], now)
    this.replay({ offset: 0, timestamp: now, key: record.key, value: record.value, headers: [] })
  }

  saveView(definition: ContinuousDefinition): Promise<void> {
    return this.write(`view/${definition.name}`, definition)
  }

  dropView(name: string): Promise<void> {
    return this.write(`view/${name}`, null)
  }

  saveCheckpoint(name: string, checkpoint: Checkpoint): Promise<void> {
    return this.write(`checkpoint/${name}`, checkpoint)
  }
}
