// Group commit: one fdatasync serves every durable append that finished its write before the sync
// started. A request made while a sync runs waits for the next one (its write may have missed the
// running sync); all requests made during a run share that next sync. So N concurrent durable appends
// cost about two syncs, not N.

interface Waiters {
  promise: Promise<void>
  resolve: () => void
  reject: (error: unknown) => void
}

function deferred(): Waiters {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise
    reject = rejectPromise
  })
  return { promise, resolve, reject }
}

export class GroupCommit {
  private running = false
  private next: Waiters | null = null

  /** `sync` makes durable every write that completed before it was called. */
  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves after a sync that started after this call; rejects with that sync's error. */
  request(): Promise<void> {
    this.next ??= deferred()
    const { promise } = this.next
    if (!this.running) this.startNext()
    return promise
  }

  /** True while a sync runs or is queued. */
  get busy(): boolean {
    return this.running || this.next !== null
  }

  private startNext(): void {
    const waiters = this.next
    if (waiters === null) return
    this.next = null
    this.running = true
    void this.sync().then(
      () => this.finish(waiters, null),
      (error: unknown) => this.finish(waiters, error),
    )
  }

  private finish(waiters: Waiters, error: unknown): void {
    this.running = false
    if (error === null) waiters.resolve()
    else waiters.reject(error)
    this.startNext()
  }
}
