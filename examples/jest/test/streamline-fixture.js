// One Streamline broker for the test file that calls useStreamline(): started before its first
// test, closed after its last. In memory on free ports, so Jest's parallel workers never collide.
import { afterAll, beforeAll } from '@jest/globals'
import { startStreamline } from 'streamline'

/** Returns a function that gives the running broker (inside tests and hooks). */
export function useStreamline(options = {}) {
  let streamline
  beforeAll(async () => {
    // A consumer group's first join would wait Kafka's 3 s group.initial.rebalance.delay.ms for more
    // members; a test's groups have one member, so the fixture does not wait.
    streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 }, ...options })
  })
  afterAll(async () => {
    await streamline?.close()
  })
  return () => {
    if (streamline === undefined) throw new Error('Streamline is not started yet (use it inside a test)')
    return streamline
  }
}
