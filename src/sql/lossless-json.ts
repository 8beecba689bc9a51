// JSON text ⇄ JS values without losing numbers JS cannot hold exactly. DuckDB's serialized parse trees
// (json_serialize_sql) carry 64-bit integers (an unset query_location is 2^64 - 1, and integer
// constants may exceed 2^53): a tree that is changed and handed back to json_deserialize_sql must
// keep them digit for digit (shared-json-parse.ts), which JSON.parse does not.

/** Marks a number kept as its text (a string that JSON text of a parse tree cannot otherwise hold). */
const marker = '\u0000number:'

/**
 * Parses JSON text; every number whose text JSON.stringify would not give back (beyond 2^53, or
 * written another way) becomes a marked string holding its exact text, restored by
 * stringifyLossless.
 */
export function parseLossless(text: string): unknown {
  // A string of the text that looks like a marked number could not be told from one: refused.
  if (text.includes('\\u0000number:')) throw new Error('JSON text holds a number marker')
  let rewritten = ''
  let copiedTo = 0
  let index = 0
  while (index < text.length) {
    const char = text[index]
    if (char === '"') {
      // Skips the string (its escapes included); numbers are only looked for outside strings.
      index++
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1
      index++
      continue
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const start = index
      while (index < text.length && /[-+.eE0-9]/.test(text[index])) index++
      const token = text.slice(start, index)
      if (JSON.stringify(Number(token)) !== token) {
        rewritten += `${text.slice(copiedTo, start)}${JSON.stringify(marker + token)}`
        copiedTo = index
      }
      continue
    }
    index++
  }
  return JSON.parse(copiedTo === 0 ? text : rewritten + text.slice(copiedTo))
}

/** JSON text of a value from parseLossless (marked numbers written back as they were). */
export function stringifyLossless(value: unknown): string {
  const placeholders: string[] = []
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'string' && item.startsWith(marker)) {
      placeholders.push(item.slice(marker.length))
      return `${marker}${placeholders.length - 1}`
    }
    return item
  })
  if (placeholders.length === 0) return text
  // JSON.stringify writes U+0000 as \u0000, so a marker can only be one of those placed above.
  return text.replace(/"\\u0000number:(\d+)"/g, (_match, at: string) => placeholders[Number(at)])
}
