// The canonical text of schema texts already parsed, so a lookup (`POST /subjects/{s}`) of a text a
// client sends again and again finds its id without parsing it (Confluent's registry keeps such a
// cache of parsed requests too). Texts already canonical (what most serializers send) need no entry:
// the lookup tries the text as it came first. A canonical text depends only on the text and its type
// (whitespace and layout; references never change it), so entries never go stale. Bounded by entries
// and by characters; the least recently used go first.

import type { SchemaReference, SchemaType } from './store/records.ts'

const entriesMax = 2000
/** Characters of keys and canonical texts kept at most (~2 bytes each in the worst case). */
const charsMax = 2 * 1024 * 1024

export class CanonicalTexts {
  private readonly canonicalByText = new Map<string, string>()
  private chars = 0

  private static keyOf(schemaType: SchemaType, references: readonly SchemaReference[], text: string): string {
    return references.length === 0
      ? `${schemaType}\u0000${text}`
      : `${schemaType}\u0000${JSON.stringify(references)}\u0000${text}`
  }

  /** The canonical text of `text`, when it was parsed before. */
  get(schemaType: SchemaType, references: readonly SchemaReference[], text: string): string | undefined {
    const key = CanonicalTexts.keyOf(schemaType, references, text)
    const canonical = this.canonicalByText.get(key)
    if (canonical !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.canonicalByText.delete(key)
      this.canonicalByText.set(key, canonical)
    }
    return canonical
  }

  /** Remembers that `text` parses to `canonical` (nothing kept when they are the same). */
  set(schemaType: SchemaType, references: readonly SchemaReference[], text: string, canonical: string): void {
    if (text === canonical) return
    const key = CanonicalTexts.keyOf(schemaType, references, text)
    const size = key.length + canonical.length
    if (size > charsMax || this.canonicalByText.has(key)) return
    this.canonicalByText.set(key, canonical)
    this.chars += size
    for (const [oldest, kept] of this.canonicalByText) {
      if (this.canonicalByText.size <= entriesMax && this.chars <= charsMax) break
      this.canonicalByText.delete(oldest)
      this.chars -= oldest.length + kept.length
    }
  }

  get size(): number {
    return this.canonicalByText.size
  }
}
