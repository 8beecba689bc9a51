// The message browser's search, evaluated on the server while it reads the log: a record matches when
// the text (or regular expression) occurs in its key, its value, or a header's key or value (as UTF-8
// text; invalid bytes read as U+FFFD).
//
// Safe for the broker: the pattern is at most filterLengthMax characters; regular expressions with
// backreferences, lookaround or a quantified group that itself holds a quantifier (the shapes of
// catastrophic backtracking: (a+)+, (a|a)*) are refused with 400 (a heuristic on the pattern's text: it
// may refuse some safe patterns, never runs the shapes named); each field is tested on at most its
// first fieldBytesMax bytes; and one browse scans at most the bytes readRecords allows and stops at its
// deadline, returning where to continue.

import type { KafkaRecord } from '../protocol/records/record.ts'
import { invalidRequest } from './errors.ts'

export const filterLengthMax = 256
/** Bytes of a key, value or header tested (a 1 MiB value is not scanned whole per record). */
export const fieldBytesMax = 64 * 1024

export type FilterMode = 'text' | 'regex'

export type RecordPredicate = (record: KafkaRecord) => boolean

/** Lookaround, backreferences, and a quantified group that holds a quantifier or an alternation
 * (checked after non-capturing group openers are simplified): refused. */
const dangerousRegex = [/\(\?<?[=!]/, /\\[1-9]/, /\\k</]
const quantifiedRiskyGroup = /\([^()]*[+*?}|][^()]*\)\s*[+*{?]/

function isDangerous(pattern: string): boolean {
  if (dangerousRegex.some((shape) => shape.test(pattern))) return true
  return quantifiedRiskyGroup.test(pattern.replace(/\(\?(?:<[A-Za-z][\w]*>|:)/g, '('))
}

function textOf(bytes: Buffer | null): string {
  if (bytes === null) return ''
  return (bytes.length > fieldBytesMax ? bytes.subarray(0, fieldBytesMax) : bytes).toString('utf8')
}

export function recordPredicate(filter: string, mode: FilterMode): RecordPredicate {
  if (filter.length > filterLengthMax)
    throw invalidRequest(`filter longer than ${filterLengthMax} characters`)
  let test: (text: string) => boolean
  if (mode === 'regex') {
    if (isDangerous(filter)) {
      throw invalidRequest('regex refused: nested quantifiers, backreferences and lookaround are not allowed')
    }
    let pattern: RegExp
    try {
      pattern = new RegExp(filter, 'u')
    } catch (error) {
      throw invalidRequest(`invalid regex: ${(error as Error).message}`)
    }
    test = (text) => pattern.test(text)
  } else {
    test = (text) => text.includes(filter)
  }
  return (record) =>
    test(textOf(record.key)) ||
    test(textOf(record.value)) ||
    record.headers.some((header) => test(header.key) || test(textOf(header.value)))
}
