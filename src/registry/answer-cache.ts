// Which requests are the two hot reads whose answers are kept ready-made: `GET /schemas/ids/{id}`
// without a query (what every deserializer asks once per id it meets; id-answers.ts keeps them) and
// `POST /subjects/{s}` (a lookup: what serializers ask once per schema and subject), kept per URL
// (subject, `normalize`, `deleted`) and exact body text (Confluent's registry caches lookups by
// request too; lookup-answers.ts). A repeated request skips URL parsing, routing, JSON parsing, the
// lookup and JSON serialization. The route still builds every answer the first time, so a kept one
// can never disagree with it; only 200 answers are kept. Every record applied to the state
// (`RegistryState.applied`) may change an answer (a version deleted, metadata of another owner, a new
// version holding the schema), so any change empties the kept answers.

/** The id route with no query string. */
const cacheableUrl = /^\/schemas\/ids\/\d{1,10}$/

/** The lookup route, `POST /subjects/{subject}` (any query); not `/contexts/{ctx}/subjects/…`. */
const lookupUrl = /^\/subjects\/[^/?#]+\/?(\?[^#]*)?$/

export const AnswerCache = {
  /** True when `GET url`'s answer may be kept. */
  cacheable(method: string | undefined, url: string | undefined): boolean {
    return method === 'GET' && url !== undefined && cacheableUrl.test(url)
  },

  /** True when the request is a lookup whose answer may be kept (with its body: `lookupKey`). */
  isLookup(method: string | undefined, url: string | undefined): boolean {
    if (method !== 'POST' || url === undefined || !lookupUrl.test(url)) return false
    if (!url.includes('%')) return true
    // A path the router cannot decode is answered 404 before its body is read: left to the router.
    try {
      decodeURIComponent(url.split('?')[0])
      return true
    } catch {
      return false
    }
  },

  /** The key of a lookup's answer: its URL and exact body text. */
  lookupKey(url: string, body: string | undefined): string {
    return `${url}\n${body ?? ''}`
  },
}
