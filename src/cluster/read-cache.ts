// Object ranges read by Fetch (and the leader's own freshly committed parts), kept in memory up to
// a byte bound, least recently used evicted. Keys are `objectKey@start-end`; objects never change
// once committed, so an entry is never stale.

export class ReadCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0

  constructor(private readonly bytesMax: number) {}

  static keyOf(objectKey: string, start: number, end: number): string {
    return `${objectKey}@${start}-${end}`
  }

  get(key: string): Buffer | undefined {
    const found = this.entries.get(key)
    if (found === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, found)
    return found
  }

  set(key: string, bytes: Buffer): void {
    if (bytes.length > this.bytesMax) return
    const known = this.entries.get(key)
    if (known !== undefined) {
      this.entries.delete(key)
      this.bytes -= known.length
    }
    // A copy: the caller's buffer may be a slice of a whole object that must not stay alive.
    this.entries.set(key, Buffer.from(bytes))
    this.bytes += bytes.length
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.bytesMax) break
      this.entries.delete(oldest)
      this.bytes -= value.length
    }
  }

  get sizeBytes(): number {
    return this.bytes
  }
}
