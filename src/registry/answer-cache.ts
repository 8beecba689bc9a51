// Ready-made answers to the hottest read, `GET /schemas/ids/{id}` without a query (what every
// deserializer asks once per id it meets): the answer's bytes, kept per URL, so a repeated request skips
// URL parsing, routing, body reading and JSON serialization (the route still builds every answer the
// first time, so the cache can never disagree with it). Every record applied to the state
// (`RegistryState.applied`) may change an answer (a version deleted, metadata of another owner), so
// any change empties the cache. Bounded by bytes: the oldest answers go first.

/** The requests whose answers are kept: the id route with no query string. */
const cacheableUrl = /^\/schemas\/ids\/\d{1,10}$/

/** Bytes of answers kept at most (~20,000 typical Avro answers). */
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

  /** The kept answer to `url`, or undefined; `applied` is the state's count now. */
  get(url: string, applied: number): Buffer | undefined {
    if (applied !== this.builtAt) {
      this.clear()
      return undefined
    }
    return this.answers.get(url)
  }

  /** Keeps `body`, the answer to `url` built when the state's count was `applied`. */
  set(url: string, applied: number, body: Buffer): void {
    if (applied < this.builtAt) return // built before a change the kept answers already reflect
    if (applied > this.builtAt) {
      this.clear()
      this.builtAt = applied
    }
    if (body.length > answerBytesMax || this.answers.has(url)) return
    this.answers.set(url, body)
    this.bytes += body.length
    for (const [oldest, answer] of this.answers) {
      if (this.bytes <= answerBytesMax) break
      this.answers.delete(oldest)
      this.bytes -= answer.length
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
