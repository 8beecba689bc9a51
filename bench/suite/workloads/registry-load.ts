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

/** The bytes of the next random request of a phase. */
export function requestMaker(http: RegistryHttp, command: OpenLoopCommand): () => Buffer {
  const { schemaCount } = command
  if (command.request === 'getById')
    return () => http.requestBytes('GET', `/schemas/ids/${1 + Math.floor(Math.random() * schemaCount)}`)
  return () => {
    const n = Math.floor(Math.random() * schemaCount)
    return http.requestBytes('POST', `/subjects/${subjectOf(n)}`, JSON.stringify({ schema: schemaOf(n) }))
  }
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
