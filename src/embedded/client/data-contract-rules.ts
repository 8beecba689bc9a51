// Confluent's data-contract rules (a schema version's `ruleSet`: domainRules such as CEL conditions
// and field transforms, encodingRules such as payload encryption) run inside Confluent's serializers
// through rule executors. Streamline's serdes have no rule executors (no CEL engine, no encryption),
// so a schema whose rules apply to what a serde does is refused with a clear error instead of being
// ignored: writing or reading past a CONDITION or an encryption rule silently would break the contract.
// This is what Confluent's serializers do without the executor (the rule's onFailure action, ERROR by
// default: "could not find rule executor of type …"); a rule whose onFailure for that mode is NONE, a
// disabled rule, one for another mode, and a ruleSet enabled only elsewhere (`enableAt`) are skipped
// as Confluent skips them. migrationRules run only when a reader upgrades or downgrades between
// versions, which these serdes never do.

import { DecodeError, EncodeError } from '../../errors.ts'

/** WRITE: a serializer; READ: a deserializer. */
export type RuleMode = 'WRITE' | 'READ'

interface Rule {
  name?: unknown
  kind?: unknown
  mode?: unknown
  type?: unknown
  onFailure?: unknown
  disabled?: unknown
}

function rulesOf(ruleSet: Record<string, unknown>): Rule[] {
  const rules: Rule[] = []
  for (const key of ['domainRules', 'encodingRules']) {
    const list = ruleSet[key]
    if (Array.isArray(list)) rules.push(...list.filter((rule): rule is Rule => typeof rule === 'object'))
  }
  return rules
}

function appliesTo(rule: Rule, mode: RuleMode): boolean {
  if (rule.disabled === true) return false
  const ruleMode = typeof rule.mode === 'string' ? rule.mode : 'WRITEREAD'
  if (ruleMode !== mode && ruleMode !== 'WRITEREAD') return false
  // onFailure is one action, or "write action,read action" for WRITEREAD rules.
  const actions = typeof rule.onFailure === 'string' ? rule.onFailure.split(',') : []
  const action = (ruleMode === 'WRITEREAD' && mode === 'READ' ? actions[1] : actions[0])?.trim()
  return action !== 'NONE'
}

/** Throws (EncodeError writing, DecodeError reading) when `ruleSet` has a rule that applies to `mode`. */
export function refuseRules(ruleSet: unknown, mode: RuleMode, schemaId: number): void {
  if (typeof ruleSet !== 'object' || ruleSet === null) return
  const set = ruleSet as Record<string, unknown>
  if (typeof set.enableAt === 'string' && set.enableAt !== 'ALL' && set.enableAt !== 'CLIENT') return
  const rule = rulesOf(set).find((candidate) => appliesTo(candidate, mode))
  if (rule === undefined) return
  const message =
    `schema id ${schemaId} carries data-contract rule "${String(rule.name)}" (type ${String(rule.type)}, ` +
    `kind ${String(rule.kind ?? 'TRANSFORM')}, mode ${String(rule.mode ?? 'WRITEREAD')}) and Streamline's ` +
    'serdes have no rule executors: the record is refused rather than written or read without its rule'
  if (mode === 'WRITE') throw new EncodeError(message)
  throw new DecodeError(message, 1, 'ruleSet')
}
