// A counting semaphore whose size is read at each acquire: the segment copies in flight are bounded
// by the remote log manager's current concurrency, which throttling halves and success grows back.

export class CopySlots {
  private inFlight = 0
  private readonly waiting: { limit: () => number; resolve: () => void }[] = []

  /** Resolves once fewer than `limit()` slots are taken (and takes one). */
  acquire(limit: () => number): Promise<void> {
    if (this.inFlight < Math.max(1, limit())) {
      this.inFlight += 1
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push({ limit, resolve }))
  }

  release(): void {
    this.inFlight -= 1
    while (this.waiting.length > 0 && this.inFlight < Math.max(1, this.waiting[0].limit())) {
      this.inFlight += 1
      this.waiting.shift()?.resolve()
    }
  }
}
