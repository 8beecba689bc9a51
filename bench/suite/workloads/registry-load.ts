// The registry workload's load generator in its own process (registry-load-child.ts): the open loop
// (registry-http.ts) then owns a core's event loop and heap, so neither the bench runner's work (reading
// the broker's output, its own garbage collection) nor the spin that keeps sends on schedule shares a
// thread with anything else. The child keeps its keep-alive connections from one phase to the next
// (the warm-up's connections serve the measured phase). Also: the schemas and requests of the workload.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { OpenLoopResult, RegistryHttp } from './registry-http.ts'

/** The latency phases: GET by id, and a lookup of a registered schema under its subject. */
export type LatencyRequest = 'getById' | 'lookup'

export interface OpenLoopCommand {
  request: LatencyRequest
  rate: number
  seconds: number
  /** Ids 1..schemaCount exist; schema n is under subject `bench-${n % 100}`. */
  schemaCount: number
}

/** The n-th schema the workload registers (under `subjectOf(n)`). */
export const schemaOf = (n: number): string =>
  JSON.stringify({
    type: 'record',
    name: `Bench${n}`,
    fields: [
      { name: 'id', type: 'long' },
      { name: 'payload', type: 'string' },
    ],
  })

export const subjectOf = (n: number): string => `bench-${n % 100}`

/**
 * The bytes of the next random request of a phase. Every request's bytes are built before the phase's
 * schedule starts (10,000 buffers, ~3 MB for lookups): built per send, each lookup cost the generator
 * ~1 KB of garbage (a schema object, its JSON, the head, two buffers and their concatenation) and its
 * young-generation pauses (1-2 ms, several a second, up to 40 ms on the loaded machine) delayed the
 * sends behind them. Those pauses were counted as the registry's latency (the generator measures from
 * each request's scheduled time, as it must), though they were the generator's own.
 */
export function requestMaker(http: RegistryHttp, command: OpenLoopCommand): () => Buffer {
  const { schemaCount } = command
  const requests: Buffer[] = []
  for (let n = 0; n < schemaCount; n++)
    requests.push(
      command.request === 'getById'
        ? http.requestBytes('GET', `/schemas/ids/${1 + n}`)
        : http.requestBytes('POST', `/subjects/${subjectOf(n)}`, JSON.stringify({ schema: schemaOf(n) })),
    )
  return () => requests[Math.floor(Math.random() * schemaCount)]
}

const childEntry = fileURLToPath(new URL('./registry-load-child.ts', import.meta.url))

/** The generator process: one open loop at a time against the registry at `base`. */
export class RegistryLoadProcess {
  private readonly child: ChildProcess
  private readonly exited: Promise<void>

  constructor(base: string) {
    // The bench's own Node options (`--import tsx`) load the TypeScript entry.
    this.child = fork(childEntry, [base], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
  }

  openLoop(command: OpenLoopCommand): Promise<OpenLoopResult> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error('the registry load generator exited'))
      this.child.once('exit', onExit)
      this.child.once('message', (message: { result?: OpenLoopResult; error?: string }) => {
        this.child.off('exit', onExit)
        if (message.result !== undefined) resolve(message.result)
        else reject(new Error(`registry load generator: ${message.error ?? 'no result'}`))
      })
      this.child.send(command)
    })
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.disconnect()
    await this.exited
  }
}
