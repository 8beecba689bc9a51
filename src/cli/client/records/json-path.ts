// A small JSONPath for `consume --jq`: `$`, `.name`, `['name']`, `[n]` (negative from the end),
// `[*]` and `.*`. Returns every match; a record without a match is filtered out.
import { UsageError } from '../errors.ts'

type Step = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' }
export type JsonPath = (document: unknown) => unknown[]

function parseSteps(path: string): Step[] {
  if (!path.startsWith('$')) throw new UsageError(`--jq: '${path}' must start with $ (example: $.user.id)`)
  const steps: Step[] = []
  let at = 1
  while (at < path.length) {
    const rest = path.slice(at)
    const dotted = /^\.([A-Za-z_$][\w$-]*|\*)/.exec(rest)
    const quoted = /^\[\s*(?:'([^']*)'|"([^"]*)")\s*\]/.exec(rest)
    const index = /^\[\s*(-?\d+|\*)\s*\]/.exec(rest)
    if (dotted !== null) {
      steps.push(dotted[1] === '*' ? { kind: 'wildcard' } : { kind: 'name', name: dotted[1] })
      at += dotted[0].length
    } else if (quoted !== null) {
      steps.push({ kind: 'name', name: quoted[1] ?? quoted[2] })
      at += quoted[0].length
    } else if (index !== null) {
      steps.push(index[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(index[1]) })
      at += index[0].length
    } else {
      throw new UsageError(`--jq: cannot read '${rest}' in '${path}'`)
    }
  }
  return steps
}

function apply(step: Step, value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null) return []
  if (step.kind === 'wildcard') return Array.isArray(value) ? value : Object.values(value)
  if (step.kind === 'index') {
    if (!Array.isArray(value)) return []
    const item = value.at(step.index)
    return item === undefined ? [] : [item]
  }
  if (Array.isArray(value) || !Object.hasOwn(value, step.name)) return []
  return [(value as Record<string, unknown>)[step.name]]
}

export function compileJsonPath(path: string): JsonPath {
  const steps = parseSteps(path.trim())
  return (document) => {
    let current: unknown[] = [document]
    for (const step of steps) current = current.flatMap((value) => apply(step, value))
    return current
  }
}
