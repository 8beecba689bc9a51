// The bounded cache of remote reads: fixed-size, aligned chunks of segment data and whole index
// objects, keyed by remote segment id. Least recently used entries are evicted once the total passes
// `capacityBytes` (capacity 0: nothing is kept, every read goes to the store). Concurrent reads of
// the same chunk share one GET; a failed GET is not cached.

export interface CacheCounters {
  hits: number
  misses: number
  bytesFetched: number
}

interface Entry {
  bytes: Promise<Buffer>
  sizeBytes: number
}

export class RemoteReadCache {
  /** Insertion order is recency order (a hit re-inserts). */
  private readonly entries = new Map<string, Entry>()
  private totalBytes = 0
  readonly counters: CacheCounters = { hits: 0, misses: 0, bytesFetched: 0 }

  constructor(readonly capacityBytes: number) {}

  get sizeBytes(): number {
    return this.totalBytes
  }

  /** The cached bytes for `key`, or `fetch()`'s (then cached within the bound). */
  get(key: string, fetch: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.entries.get(key)
    if (cached !== undefined) {
      this.counters.hits += 1
      this.entries.delete(key)
      this.entries.set(key, cached)
      return cached.bytes
    }
    this.counters.misses += 1
    const entry: Entry = { bytes: fetch(), sizeBytes: 0 }
    this.entries.set(key, entry)
    entry.bytes.then(
      (bytes) => {
        this.counters.bytesFetched += bytes.length
        if (this.entries.get(key) !== entry) return
        entry.sizeBytes = bytes.length
        this.totalBytes += bytes.length
        this.evict()
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key)
      },
    )
    return entry.bytes
  }

  /** Drops every entry of a remote segment (deleted by retention). */
  forget(segmentId: string): void {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(`${segmentId}:`)) {
        this.entries.delete(key)
        this.totalBytes -= entry.sizeBytes
      }
    }
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.capacityBytes) break
      this.entries.delete(key)
      this.totalBytes -= entry.sizeBytes
    }
  }
}
