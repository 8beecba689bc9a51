// The kept answers to `GET /schemas/ids/{id}` (no query) outside the V8 heap: each answer's bytes are
// copied into one buffer (an arena, answer-arena.ts) and found by id through a typed array of spans,
// so keeping an answer allocates no object the garbage collector must copy. Kept in a Map of Buffers
// per URL (until 2026-12-07), every first-time answer left ~600 bytes of objects (key, entry, buffer
// object, whole-answer record) that survived the young generation: with 10,000 ids and a one-second
// warm-up, a 5 s read phase at 5,000 req/s promoted ~3 MB, its scavenges took 44-54 ms in all (12-18
// ms the longest) against 8-16 ms once every answer was kept, and the old generation's growth
// brought mark-compacts into read phases.
// Same rules as the lookups' kept answers: built by the route the first time (200 answers only), all
// dropped when any record is applied to the state; bounded by the arena's size (4 MiB, ~13,000
// typical Avro answers; when it is full the kept answers start over in a new one). An arena's bytes
// are never overwritten: a socket may still hold an answer's bytes in its write queue.

import { arenaWithRoom } from './answer-arena.ts'

/** Ids above this are not kept (the spans array grows with the largest id kept). */
const idMax = 1 << 20

export class IdAnswers {
  private arena: Buffer | null = null
  private used = 0
  /** Per id: start and end of its answer in the arena; end 0 when none is kept. */
  private spans = new Int32Array(0)
  /** The state's `applied` count the kept answers were built at. */
  private builtAt = -1

  /** The kept answer to `id` (a view of the arena), or undefined; `applied` is the state's count now. */
  get(id: number, applied: number): Buffer | undefined {
    if (applied !== this.builtAt) {
      this.clear()
      return undefined
    }
    const end = 2 * id + 1 < this.spans.length ? this.spans[2 * id + 1] : 0
    if (end === 0 || this.arena === null) return undefined
    return this.arena.subarray(this.spans[2 * id], end)
  }

  /** Keeps `body`, the answer to `id` built when the state's count was `applied`. */
  set(id: number, applied: number, body: string): void {
    if (applied < this.builtAt) return // built before a change the kept answers already reflect
    if (applied > this.builtAt) {
      this.clear()
      this.builtAt = applied
    }
    if (!Number.isSafeInteger(id) || id < 0 || id > idMax) return
    if (2 * id + 1 < this.spans.length && this.spans[2 * id + 1] !== 0) return
    const length = Buffer.byteLength(body)
    let arena = arenaWithRoom(this.arena, this.used, length)
    if (arena === null) {
      this.clear()
      arena = arenaWithRoom(null, 0, length)
      if (arena === null) return
    }
    this.arena = arena
    if (2 * id + 1 >= this.spans.length) {
      const grown = new Int32Array(Math.max(2 * (id + 1), 2 * this.spans.length))
      grown.set(this.spans)
      this.spans = grown
    }
    arena.write(body, this.used, 'utf8')
    this.spans[2 * id] = this.used
    this.used += length
    this.spans[2 * id + 1] = this.used
  }

  /** Answers kept now. */
  get size(): number {
    let kept = 0
    for (let index = 1; index < this.spans.length; index += 2) if (this.spans[index] !== 0) kept++
    return kept
  }

  /** Drops every kept answer; the next one goes into a new arena (this one may still be read). */
  private clear(): void {
    this.arena = null
    this.used = 0
    this.spans.fill(0)
  }
}
