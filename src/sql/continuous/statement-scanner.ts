// A small cursor over a continuous-query statement: DuckDB's parser knows no CREATE MATERIALIZED
// VIEW / STREAM, so their outer syntax is read here, and every refusal names the position (0-based
// character offset into the statement) where the statement stopped making sense. The SQL pieces in
// between (select list, WHERE, expressions) are left to DuckDB, which checks them at CREATE.

import { SqlError, type SqlErrorCode } from '../errors.ts'

export class StatementScanner {
  position = 0

  constructor(readonly text: string) {}

  /** A refusal at the current (or given) position. */
  fail(expected: string, code: SqlErrorCode = 'INVALID_SQL', at = this.position): never {
    const near = this.text.slice(at, at + 24).trim()
    throw new SqlError(
      code,
      `at position ${at}: expected ${expected}${near === '' ? ' (the statement ended)' : ` near "${near}"`}`,
    )
  }

  skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position])) this.position += 1
  }

  /** Consumes `pattern` (written without anchors) at the cursor, or undefined (cursor unchanged). */
  accept(pattern: RegExp): RegExpExecArray | undefined {
    this.skipSpace()
    const sticky = new RegExp(pattern.source, 'iy')
    sticky.lastIndex = this.position
    const match = sticky.exec(this.text)
    if (match === null) return undefined
    this.position = sticky.lastIndex
    return match
  }

  expect(pattern: RegExp, expected: string, code: SqlErrorCode = 'INVALID_SQL'): RegExpExecArray {
    const match = this.accept(pattern)
    if (match === undefined) this.fail(expected, code)
    return match
  }

  /** Whether only whitespace and an optional `;` remain. */
  atEnd(): boolean {
    this.skipSpace()
    return /^;?\s*$/.test(this.text.slice(this.position))
  }

  /**
   * The text up to the first of `stops` found outside parentheses, brackets and quotes at a word
   * boundary (the cursor moves to that keyword), or up to the end (cursor at the end, `;` dropped).
   */
  until(stops: RegExp[]): { text: string; start: number; stop: number | null } {
    this.skipSpace()
    const start = this.position
    let depth = 0
    let quote: string | null = null
    for (let index = start; index < this.text.length; index++) {
      const char = this.text[index]
      if (quote !== null) {
        if (char === quote) quote = null
        continue
      }
      if (char === "'" || char === '"') quote = char
      else if (char === '(' || char === '[') depth += 1
      else if (char === ')' || char === ']') depth -= 1
      else if (depth === 0 && /\s/.test(this.text[index - 1] ?? ' ')) {
        for (const [which, stop] of stops.entries()) {
          const sticky = new RegExp(`${stop.source}${/\w$/.test(stop.source) ? '\\b' : ''}`, 'iy')
          sticky.lastIndex = index
          if (sticky.test(this.text)) {
            this.position = index
            return { text: this.text.slice(start, index).trim(), start, stop: which }
          }
        }
      }
    }
    this.position = this.text.length
    return { text: this.text.slice(start).replace(/;\s*$/, '').trim(), start, stop: null }
  }

  /** The comma-separated arguments of a parenthesised list at the cursor (after its `(`). */
  argumentsList(what: string): Array<{ text: string; start: number }> {
    this.expect(/\(/, `( after ${what}`)
    const args: Array<{ text: string; start: number }> = []
    let depth = 0
    let quote: string | null = null
    let start = this.position
    for (let index = this.position; index < this.text.length; index++) {
      const char = this.text[index]
      if (quote !== null) {
        if (char === quote) quote = null
        continue
      }
      if (char === "'" || char === '"') quote = char
      else if (char === '(' || char === '[') depth += 1
      else if ((char === ')' || char === ',') && depth === 0) {
        args.push({ text: this.text.slice(start, index).trim(), start })
        start = index + 1
        if (char === ')') {
          this.position = index + 1
          return args
        }
      } else if (char === ')' || char === ']') depth -= 1
    }
    this.position = this.text.length
    return this.fail(`) closing the arguments of ${what}`)
  }
}
