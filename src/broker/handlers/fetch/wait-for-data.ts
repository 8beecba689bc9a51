// Long polling: a Fetch with too little data waits until one of its partitions gets an append, or
// until max_wait_ms. The watch listens from BEFORE the Fetch first reads its partitions: an append
// that lands while the read is in flight (a Produce pipelined just ahead of this Fetch on the same
// connection is handled concurrently with it) is remembered and ends the next wait at once, instead
// of being missed and leaving the Fetch asleep until max_wait_ms (issue 13: a lost wake-up).
// One listener per partition and at most one timer, removed by close(); no polling loop. When a
// partition already has its maximum of listeners the Fetch does not wait (the client just polls
// again), so waiting never grows memory without bound.

import type { PartitionLog, Unsubscribe } from '../../../storage/types.ts'

export class AppendWatch {
  private readonly unsubscribes: Unsubscribe[] = []
  /** An append happened since the last wait (or since the watch started). */
  private appended = false
  private wake: (() => void) | null = null
  /** False when a partition refused another listener: waits then end at once. */
  private readonly listening: boolean

  /** Starts listening on every log now; call before reading them. */
  constructor(logs: readonly PartitionLog[]) {
    let listening = logs.length > 0
    try {
      for (const log of logs) this.unsubscribes.push(log.onAppend(() => this.onAppend()))
    } catch {
      listening = false
      this.close()
    }
    this.listening = listening
  }

  /**
   * Resolves true at once when an append happened since the last call (or since the watch started),
   * else true at the next append, false when `timeoutMs` passes first (or the watch cannot listen).
   */
  nextAppend(timeoutMs: number): Promise<boolean> {
    if (this.appended) {
      this.appended = false
      return Promise.resolve(true)
    }
    if (!this.listening || timeoutMs <= 0) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null
        resolve(false)
      }, timeoutMs)
      this.wake = () => {
        clearTimeout(timer)
        this.appended = false
        resolve(true)
      }
    })
  }

  /** Removes the listeners. Called once the Fetch is answered, so no wait is in progress then. */
  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe()
    this.unsubscribes.length = 0
  }

  private onAppend(): void {
    this.appended = true
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}
