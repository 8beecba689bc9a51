// The kept answers to lookups (`POST /subjects/{s}`, keyed by URL and exact body text) outside the V8
// heap, as id-answers.ts keeps GET by id's: each key's and answer's bytes are copied into one buffer
// (an arena, answer-arena.ts) and found through an open-addressing table of record offsets in an
// Int32Array (FNV-1a over the key's UTF-8 bytes, linear probing). In a Map of strings to Buffers,
// every first-time lookup left ~750 bytes of objects (the ~350-character key string, the entry, the
// buffer object, a whole-answer record) that survived the young generation, and a read phase of
// first-time lookups brought long scavenges and mark-compacts. A lookup's key is encoded into a
// scratch buffer to be hashed and compared: finding an answer allocates nothing but the view
// returned. Same rules as id-answers.ts: 200 answers only, all dropped when any record is applied to
// the state; bounded by the arena's size (4 MiB) and half the table (when either is full the kept
// answers start over in a new arena); an arena's bytes are never overwritten.

import { arenaWithRoom } from './answer-arena.ts'

/** Table slots (a power of two); at most half are used. */
const slotCount = 1 << 15
/** Bytes a key may take encoded (a lookup's body is at most 64 KiB, fast-path.ts). */
const scratchBytes = 256 * 1024
/** Each record: key length and answer length (u32 each), then the key's bytes and the answer's. */
const recordHead = 8

export class LookupAnswers {
  private arena: Buffer | null = null
  private used = 0
  /** Per slot: a record's offset in the arena + 1; 0 when empty. */
  private readonly slots = new Int32Array(slotCount)
  private entries = 0
  /** The state's `applied` count the kept answers were built at. */
  private builtAt = -1
  private scratch: Buffer | null = null

  /** The kept answer to `key` (a view of the arena), or undefined; `applied` is the state's count now. */
  get(key: string, applied: number): Buffer | undefined {
    if (applied !== this.builtAt) {
      this.clear()
      return undefined
    }
    if (this.arena === null) return undefined
    const keyLength = this.encode(key)
    if (keyLength < 0) return undefined
    const record = this.slots[this.slotOf(this.arena, keyLength)] - 1
    if (record < 0) return undefined
    const answerStart = record + recordHead + keyLength
    return this.arena.subarray(answerStart, answerStart + this.arena.readUInt32LE(record + 4))
  }

  /** Keeps `answer` under `key`, built when the state's count was `applied`. */
  set(key: string, applied: number, answer: string): void {
    if (applied < this.builtAt) return // built before a change the kept answers already reflect
    if (applied > this.builtAt) {
      this.clear()
      this.builtAt = applied
    }
    const keyLength = this.encode(key)
    if (keyLength < 0) return
    const answerLength = Buffer.byteLength(answer)
    const size = recordHead + keyLength + answerLength
    let arena = this.entries < slotCount / 2 ? arenaWithRoom(this.arena, this.used, size) : null
    if (arena === null) {
      this.clear()
      arena = arenaWithRoom(null, 0, size)
      if (arena === null) return
    }
    this.arena = arena
    const { used } = this
    const slot = this.slotOf(arena, keyLength)
    if (this.slots[slot] !== 0) return
    arena.writeUInt32LE(keyLength, used)
    arena.writeUInt32LE(answerLength, used + 4)
    this.scratchBuffer().copy(arena, used + recordHead, 0, keyLength)
    arena.write(answer, used + recordHead + keyLength, 'utf8')
    this.slots[slot] = used + 1
    this.used += size
    this.entries++
  }

  /** Answers kept now. */
  get size(): number {
    return this.entries
  }

  /** Writes `key` into the scratch buffer: its length in bytes, or -1 when it may not fit. */
  private encode(key: string): number {
    if (key.length * 3 > scratchBytes) return -1
    return this.scratchBuffer().write(key, 0, 'utf8')
  }

  private scratchBuffer(): Buffer {
    this.scratch ??= Buffer.allocUnsafeSlow(scratchBytes)
    return this.scratch
  }

  /** The slot of the key in scratch[0, keyLength): the one holding it, or the empty one it would take. */
  private slotOf(arena: Buffer, keyLength: number): number {
    const key = this.scratchBuffer()
    let hash = 0x811c9dc5
    for (let index = 0; index < keyLength; index++) hash = Math.imul(hash ^ key[index], 0x01000193)
    for (let slot = hash & (slotCount - 1); ; slot = (slot + 1) & (slotCount - 1)) {
      const record = this.slots[slot] - 1
      if (record < 0) return slot
      if (
        arena.readUInt32LE(record) === keyLength &&
        key.compare(arena, record + recordHead, record + recordHead + keyLength, 0, keyLength) === 0
      )
        return slot
    }
  }

  /** Drops every kept answer; the next one goes into a new arena (this one may still be read). */
  private clear(): void {
    this.arena = null
    this.used = 0
    this.slots.fill(0)
    this.entries = 0
  }
}
