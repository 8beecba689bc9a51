// TransformationChain: the connector's `transforms` in order, each with its optional predicate
// (`transforms.<alias>.predicate`, `transforms.<alias>.negate`), as Kafka applies them.

import type { Properties } from '../sdk/config-def.ts'
import type { ConnectRecord } from '../sdk/records.ts'
import type { Predicate, Transformation } from '../sdk/transformation.ts'
import { findPredicate, findTransform } from './plugins.ts'

interface Stage {
  alias: string
  className: string
  transform: Transformation
  predicate: Predicate | null
  negate: boolean
}

function aliasesOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((alias) => alias.trim())
    .filter((alias) => alias !== '')
}

function scoped(properties: Properties, prefix: string): Properties {
  const out: Properties = {}
  for (const [key, value] of Object.entries(properties))
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value
  return out
}

export class TransformationChain {
  private readonly stages: Stage[] = []

  constructor(properties: Properties) {
    const predicates = new Map<string, Predicate>()
    for (const alias of aliasesOf(properties.predicates)) {
      const type = properties[`predicates.${alias}.type`] ?? ''
      const plugin = findPredicate(type)
      if (plugin === null) throw new Error(`Class ${type} could not be found.`)
      const predicate = plugin.create()
      predicate.configure(scoped(properties, `predicates.${alias}.`))
      predicates.set(alias, predicate)
    }
    for (const alias of aliasesOf(properties.transforms)) {
      const type = properties[`transforms.${alias}.type`] ?? ''
      const plugin = findTransform(type)
      if (plugin === null) throw new Error(`Class ${type} could not be found.`)
      const own = scoped(properties, `transforms.${alias}.`)
      const transform = plugin.create()
      transform.configure(own)
      const predicateAlias = own.predicate
      const predicate = predicateAlias === undefined ? null : (predicates.get(predicateAlias) ?? null)
      if (predicateAlias !== undefined && predicate === null)
        throw new Error(`Transform ${alias} names predicate ${predicateAlias}, which is not in 'predicates'`)
      this.stages.push({
        alias,
        className: plugin.className,
        transform,
        predicate,
        negate: own.negate === 'true',
      })
    }
  }

  get isEmpty(): boolean {
    return this.stages.length === 0
  }

  /** The record after every transform that applies, or null when one drops it. `onStage` names the
   * transform running (for error reports). */
  apply<R extends ConnectRecord>(record: R, onStage: (className: string) => void = () => {}): R | null {
    let current: R | null = record
    for (const stage of this.stages) {
      if (current === null) return null
      if (stage.predicate !== null && stage.predicate.test(current) === stage.negate) continue
      onStage(stage.className)
      current = stage.transform.apply(current)
    }
    return current
  }

  close(): void {
    for (const stage of this.stages) stage.transform.close?.()
  }
}
