// Ready-made answers to the two hot reads: `GET /schemas/ids/{id}` without a query (what every
// deserializer asks once per id it meets), kept per URL, and `POST /subjects/{s}` (a lookup: what
// serializers ask once per schema and subject), kept per URL (subject, `normalize`, `deleted`) and
// exact body text (Confluent's registry caches lookups by request too). A repeated request skips URL
// parsing, routing, JSON parsing, the lookup and JSON serialization. The route still builds every answer
// the first time, so the cache can never disagree with it; only 200 answers are kept. Every record
// applied to the state (`RegistryState.applied`) may change an answer (a version deleted, metadata of
// another owner, a new version holding the schema), so any change empties the cache. Bounded by bytes
// (keys and answers): the oldest answers go first.

/** The id route with no query string. */
const cacheableUrl = /^\/schemas\/ids\/\d{1,10}$/

/** The lookup route, `POST /subjects/{subject}` (any query); not `/contexts/{ctx}/subjects/…`. */
const lookupUrl = /^\/subjects\/[^/?#]+\/?(\?[^#]*)?$/

/** Bytes of keys and answers kept at most, per cache (~20,000 typical Avro answers to GET by id). */
const answerBytesMax = 4 * 1024 * 1024

export class AnswerCache {
  private readonly answers = new Map<string, Buffer>()
  private bytes = 0
  /** The state's `applied` count the kept answers were built at. */
  private builtAt = -1

  /** True when `GET url`'s answer may be kept. */
  static cacheable(method: string | undefined, url: string | undefined): boolean {
    return method === 'GET' && url !== undefined && cacheableUrl.test(url)
  }

  /** True when the request is a lookup whose answer may be kept (with its body: `lookupKey`). */
  static isLookup(method: string | undefined, url: string | undefined): boolean {
    if (method !== 'POST' || url === undefined || !lookupUrl.test(url)) return false
    if (!url.includes('%')) return true
    // A path the router cannot decode is answered 404 before its body is read: left to the router.
    try {
      decodeURIComponent(url.split('?')[0])
      return true
    } catch {
      return false
    }
  }

  /** The key of a lookup's answer: its URL and exact body text. */
  static lookupKey(url: string, body: string | undefined): string {
    return `${url}\n${body ?? ''}`
  }

  /** The kept answer to `key` (a URL, or `lookupKey`), or undefined; `applied` is the state's count now. */
  get(key: string, applied: number): Buffer | undefined {
    if (applied !== this.builtAt) {
      this.clear()
      return undefined
    }
    return this.answers.get(key)
  }

  /** Keeps `body`, the answer to `key` built when the state's count was `applied`. */
  set(key: string, applied: number, body: Buffer): void {
    if (applied < this.builtAt) return // built before a change the kept answers already reflect
    if (applied > this.builtAt) {
      this.clear()
      this.builtAt = applied
    }
    const size = key.length + body.length
    if (size > answerBytesMax || this.answers.has(key)) return
    this.answers.set(key, body)
    this.bytes += size
    for (const [oldest, answer] of this.answers) {
      if (this.bytes <= answerBytesMax) break
      this.answers.delete(oldest)
      this.bytes -= oldest.length + answer.length
    }
  }

  get size(): number {
    return this.answers.size
  }

  private clear(): void {
    this.answers.clear()
    this.bytes = 0
  }
}
