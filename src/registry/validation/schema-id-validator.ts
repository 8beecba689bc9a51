// Broker-side schema validation, as Confluent Server's `confluent.key/value.schema.validation`: with
// it on, a record's key or value must be in Confluent's wire format (magic byte 0, a 4-byte schema
// id) and the id must be registered, not deleted, under the subject the topic's subject name strategy
// gives. Null keys and values pass (tombstones), as in Confluent. Beyond Confluent,
// `streamline.schema.validation.decode=true` also decodes each payload with its schema.
// Verdicts per (subject, id) are cached until the registry's state changes; an id or subject not
// found makes the store read `_schemas` up to its end once per check (another registry may have
// written it) before a record is refused.

import type { TopicConfig } from '../../storage/topic-config.ts'
import type { RegistryStore } from '../store/registry-store.ts'
import {
  needsRecordName,
  type SubjectNameStrategy,
  subjectFor,
  subjectNameStrategyOf,
} from './subject-name-strategy.ts'
import type { ProducedRecord, RecordRefusal, SchemaValidator } from './types.ts'

/** Confluent's wire format: magic byte 0, then the schema id as a big-endian int32. */
const magicByte = 0
const headerBytes = 5
/** Cached verdicts kept at most (cleared past it: verdicts are cheap to recompute). */
const verdictsMax = 10_000

type Side = 'key' | 'value'

interface SideRules {
  side: Side
  strategy: SubjectNameStrategy
}

function sideRulesOf(config: TopicConfig): SideRules[] {
  const rules: SideRules[] = []
  if (config.confluentKeySchemaValidation)
    rules.push({ side: 'key', strategy: subjectNameStrategyOf(config.confluentKeySubjectNameStrategy) })
  if (config.confluentValueSchemaValidation)
    rules.push({ side: 'value', strategy: subjectNameStrategyOf(config.confluentValueSubjectNameStrategy) })
  return rules
}

export class SchemaIdValidator implements SchemaValidator {
  private readonly store: RegistryStore
  /** "subject\0id" → true when the id is registered (not deleted) under the subject. */
  private readonly verdicts = new Map<string, boolean>()
  /** The state's applied count the verdicts were taken at. */
  private verdictsAt = -1

  constructor(store: RegistryStore) {
    this.store = store
  }

  async check(
    topic: string,
    config: TopicConfig,
    records: readonly ProducedRecord[],
  ): Promise<RecordRefusal[]> {
    const rules = sideRulesOf(config)
    const refusals: RecordRefusal[] = []
    const refresh = { done: false }
    for (let batchIndex = 0; batchIndex < records.length; batchIndex++) {
      for (const { side, strategy } of rules) {
        const payload = side === 'key' ? records[batchIndex].key : records[batchIndex].value
        if (payload === null) continue
        const reason = await this.reasonToRefuse(topic, side, strategy, payload, {
          decode: config.streamlineSchemaValidationDecode,
          refresh,
        })
        if (reason === null) continue
        refusals.push({ batchIndex, message: `Record ${batchIndex}: the ${side} ${reason}` })
        break
      }
    }
    return refusals
  }

  private async reasonToRefuse(
    topic: string,
    side: Side,
    strategy: SubjectNameStrategy,
    payload: Buffer,
    options: { decode: boolean; refresh: { done: boolean } },
  ): Promise<string | null> {
    if (payload.length < headerBytes || payload[0] !== magicByte)
      return 'has no magic byte and schema id (Confluent wire format expected)'
    const id = payload.readInt32BE(1)
    let known = this.store.state.contents.has(id)
    if (!known && !options.refresh.done) {
      options.refresh.done = true
      await this.store.refresh()
      known = this.store.state.contents.has(id)
    }
    if (!known) return `names schema id ${id}, which is not registered`
    const body = payload.subarray(headerBytes)
    const parsed = needsRecordName(strategy) || options.decode ? await this.store.parsedSchemaOf(id) : null
    const subject = subjectFor(strategy, topic, side, parsed?.recordName(body) ?? null)
    if (subject === null) return `has schema id ${id}, whose schema has no record name for ${strategy}`
    if (!this.isRegistered(subject, id) && !options.refresh.done) {
      options.refresh.done = true
      await this.store.refresh()
    }
    if (!this.isRegistered(subject, id))
      return `has schema id ${id}, which is not registered under subject ${subject} (${strategy})`
    if (options.decode && parsed !== null) {
      const issue = parsed.payloadIssue(body)
      if (issue !== null) return `(schema id ${id}) ${issue}`
    }
    return null
  }

  private isRegistered(subject: string, id: number): boolean {
    const { state } = this.store
    if (this.verdictsAt !== state.applied || this.verdicts.size >= verdictsMax) {
      this.verdicts.clear()
      this.verdictsAt = state.applied
    }
    const key = `${subject}\u0000${id}`
    let verdict = this.verdicts.get(key)
    if (verdict === undefined) {
      verdict = false
      for (const value of state.subjects.get(subject)?.values() ?? [])
        if (value.id === id && !value.deleted) verdict = true
      this.verdicts.set(key, verdict)
    }
    return verdict
  }
}
