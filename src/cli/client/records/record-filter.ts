// consume's filters, applied in this order: --grep (on the value, or the key with --grep-key; -i
// ignores case, -v inverts), --jq (JSONPath on a JSON value; records that are not JSON or have no
// match are dropped), then --sample (`N%` keeps each record with probability N/100, a plain `N` keeps
// every Nth record).
import { UsageError } from '../errors.ts'
import type { ConsumedRecord } from './consumed-record.ts'
import { compileJsonPath } from './json-path.ts'

export interface FilterOptions {
  grep?: string
  ignoreCase?: boolean
  invertMatch?: boolean
  grepKey?: boolean
  jq?: string
  sample?: string
}

export interface FilterVerdict {
  keep: boolean
  /** The --jq result, printed instead of the value (strings raw, other values as JSON). */
  projected?: string
  /** The --jq result itself, for --format json. */
  projectedValue?: unknown
}

export type RecordFilter = (record: ConsumedRecord) => FilterVerdict

function sampler(spec: string): () => boolean {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(spec)
  if (percent !== null) {
    const probability = Number(percent[1]) / 100
    if (probability <= 0 || probability > 1)
      throw new UsageError(`--sample: '${spec}' must be between 0% and 100%`)
    return () => Math.random() < probability
  }
  if (/^\d+$/.test(spec) && Number(spec) >= 1) {
    const every = Number(spec)
    let seen = 0
    return () => seen++ % every === 0
  }
  throw new UsageError(`--sample: '${spec}' is not a percentage (10%) or a count (every Nth record: 100)`)
}

export function buildRecordFilter(options: FilterOptions): RecordFilter {
  let pattern: RegExp | undefined
  if (options.grep !== undefined) {
    try {
      pattern = new RegExp(options.grep, options.ignoreCase === true ? 'i' : '')
    } catch (error) {
      throw new UsageError(`--grep: ${(error as Error).message}`)
    }
  } else if (options.invertMatch === true || options.grepKey === true) {
    throw new UsageError('-v/--invert-match and --grep-key need --grep')
  }
  const path = options.jq === undefined ? undefined : compileJsonPath(options.jq)
  const sample = options.sample === undefined ? undefined : sampler(options.sample)
  return (record) => {
    if (pattern !== undefined) {
      const subject = options.grepKey === true ? record.key : record.value
      const matched = subject !== null && pattern.test(subject.toString('utf8'))
      if (matched === (options.invertMatch === true)) return { keep: false }
    }
    let projected: string | undefined
    let projectedValue: unknown
    if (path !== undefined) {
      if (record.value === null) return { keep: false }
      let document: unknown
      try {
        document = JSON.parse(record.value.toString('utf8'))
      } catch {
        return { keep: false } // not JSON: --jq selects JSON records only
      }
      const matches = path(document)
      if (matches.length === 0) return { keep: false }
      const value = matches.length === 1 ? matches[0] : matches
      projectedValue = value
      projected = typeof value === 'string' ? value : JSON.stringify(value)
    }
    if (sample !== undefined && !sample()) return { keep: false }
    return { keep: true, projected, projectedValue }
  }
}
