// The registry workload's load generator, in a process of its own so that neither the bench runner's
// work (reading the broker's output, its own garbage collection) nor the broker shares its thread:
// the C generator (native/http-open-loop.c, registry-load-native.ts), built at run time, or, when no
// C compiler is found or BENCH_REGISTRY_LOAD=node is set, the Node one (registry-http.ts's open loop
// in registry-load-child.ts). Either keeps its keep-alive connections from one phase to the next (the
// warm-up's connections serve the measured phase).
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildNative } from '../load/native-build.ts'
import type { OpenLoopResult } from './open-loop-result.ts'
import { NativeLoadProcess } from './registry-load-native.ts'
import type { OpenLoopCommand } from './registry-requests.ts'

/** One generator process, bound to one server. */
export interface LoadGenerator {
  openLoop(command: OpenLoopCommand): Promise<OpenLoopResult>
  close(): Promise<void>
}

const childEntry = fileURLToPath(new URL('./registry-load-child.ts', import.meta.url))

/** The Node generator's process: one open loop at a time against the registry at `base`. */
class NodeLoadProcess implements LoadGenerator {
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

export interface LoadGenerators {
  /** Which generator runs, for the targets' basis: "C (cc)", or "Node (<why>)". */
  description: string
  /** A generator process for the server at `base`. */
  start(base: string): LoadGenerator
}

/** The C generator built into `scratchDir`, or the Node one (and why) when it cannot be built. */
export async function chooseLoadGenerators(scratchDir: string): Promise<LoadGenerators> {
  if (process.env.BENCH_REGISTRY_LOAD === 'node')
    return { description: 'Node (BENCH_REGISTRY_LOAD=node)', start: (base) => new NodeLoadProcess(base) }
  const build = await buildNative('http-open-loop', scratchDir)
  if ('missing' in build)
    return { description: `Node (${build.missing})`, start: (base) => new NodeLoadProcess(base) }
  return {
    description: `C (native/http-open-loop.c, ${build.compiler})`,
    start: (base) => new NativeLoadProcess(build.binary, base, scratchDir),
  }
}
