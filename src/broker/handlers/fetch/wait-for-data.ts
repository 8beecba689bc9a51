// Long polling: a Fetch with too little data waits until any of its partitions gets an append, or
// until max_wait_ms. One timer per request and one listener per partition, removed when done; no
// polling loop. When a partition already has its maximum of listeners the wait ends at once (the
// client just polls again), so waiting never grows memory without bound.

import type { PartitionLog, Unsubscribe } from '../../../storage/types.ts'

export function waitForAnyAppend(logs: readonly PartitionLog[], timeoutMs: number): Promise<void> {
  if (logs.length === 0 || timeoutMs <= 0) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const unsubscribes: Unsubscribe[] = []
    let timer: NodeJS.Timeout | undefined
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const unsubscribe of unsubscribes) unsubscribe()
      resolve()
    }
    try {
      for (const log of logs) unsubscribes.push(log.onAppend(finish))
    } catch {
      finish()
      return
    }
    timer = setTimeout(finish, timeoutMs)
  })
}
