// Wakes Fetch long-polls when a partition's log end offset advances, without polling. Both engines
// use it. Listeners are bounded (appendListenersMax); a listener that throws is removed and logged by
// the caller's logger, never allowed to break the append that notified it.

import { KafkaError } from '../errors.ts'
import { StorageErrorCode } from './error-codes.ts'
import { appendListenersMax } from './limits.ts'
import type { Unsubscribe } from './types.ts'

type AppendListener = (logEndOffset: number) => void

export class AppendNotifier {
  private readonly listeners = new Set<AppendListener>()

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; throws REQUEST_TIMED_OUT (retriable) when appendListenersMax are registered. */
  onAppend(listener: AppendListener): Unsubscribe {
    if (this.listeners.size >= appendListenersMax) {
      throw new KafkaError(
        StorageErrorCode.REQUEST_TIMED_OUT,
        `more than ${appendListenersMax} append listeners`,
      )
    }
    const wrapped: AppendListener = (logEndOffset) => listener(logEndOffset)
    this.listeners.add(wrapped)
    return () => {
      this.listeners.delete(wrapped)
    }
  }

  notify(logEndOffset: number): void {
    for (const listener of this.listeners) {
      try {
        listener(logEndOffset)
      } catch (error) {
        this.listeners.delete(listener)
        this.onListenerError(error)
      }
    }
  }

  /** Resolves true once `currentLogEndOffset()` > `offset`, false on timeout or abort. */
  waitFor(
    offset: number,
    currentLogEndOffset: () => number,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<boolean> {
    if (currentLogEndOffset() > offset) return Promise.resolve(true)
    if (options.signal?.aborted === true || options.timeoutMs <= 0) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      let unsubscribe: Unsubscribe = () => {}
      const finish = (result: boolean): void => {
        clearTimeout(timer)
        unsubscribe()
        options.signal?.removeEventListener('abort', onAbort)
        resolve(result)
      }
      const onAbort = (): void => finish(false)
      const timer = setTimeout(() => finish(false), options.timeoutMs)
      try {
        unsubscribe = this.onAppend((logEndOffset) => {
          if (logEndOffset > offset) finish(true)
        })
      } catch {
        // Too many waiters: answer now (as on timeout) rather than queue without bound.
        finish(false)
        return
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
