// The bench runner's side of the latency load generator (latency-generator.ts): forks it as a child
// process with its own event loop, sends it one job at a time over the IPC channel and returns the
// results. A job that does not answer within its bound kills the child (the workload then fails
// instead of hanging the suite).
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type {
  ClosedJobResult,
  GeneratorJob,
  GeneratorReply,
  GeneratorRequest,
  GeneratorSetup,
  PhaseJobResult,
} from './latency-generator.ts'

const generatorEntry = fileURLToPath(new URL('./latency-generator.ts', import.meta.url))
/** Beyond a job's own duration: start-up, connection set-up, drain. */
const jobSlackMs = 60_000

export class LatencyGenerator {
  readonly #child: ChildProcess
  #nextId = 1
  #pending = new Map<number, { resolve: (reply: GeneratorReply) => void; reject: (error: Error) => void }>()

  private constructor(child: ChildProcess) {
    this.#child = child
    child.on('message', (reply: GeneratorReply) => {
      const waiter = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      waiter?.resolve(reply)
    })
    child.once('exit', (code, signal) => {
      for (const waiter of this.#pending.values())
        waiter.reject(new Error(`latency generator exited (code ${code}, signal ${signal})`))
      this.#pending.clear()
    })
  }

  /** Forks the generator and opens its Produce connection to the broker. */
  static async start(setup: GeneratorSetup): Promise<LatencyGenerator> {
    const env = { ...process.env }
    delete env.NODE_TEST_CONTEXT // forked by a test's bench run: the generator is not a test
    const child = fork(generatorEntry, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    })
    const generator = new LatencyGenerator(child)
    try {
      await generator.#request({ id: 0, setup }, jobSlackMs)
    } catch (error) {
      generator.stop()
      throw error
    }
    return generator
  }

  get pid(): number {
    return this.#child.pid ?? -1
  }

  async closed(job: Omit<Extract<GeneratorJob, { kind: 'closed' }>, 'kind'>): Promise<ClosedJobResult> {
    return (await this.#request(
      { id: 0, job: { kind: 'closed', ...job } },
      job.durationMs,
    )) as ClosedJobResult
  }

  async phase(job: Omit<Extract<GeneratorJob, { kind: 'phase' }>, 'kind'>): Promise<PhaseJobResult> {
    // The phase drains for up to 2 × max(1 s, duration / 2) after its schedule.
    const boundMs = job.durationMs * 3 + 2000
    return (await this.#request({ id: 0, job: { kind: 'phase', ...job } }, boundMs)) as PhaseJobResult
  }

  /** Disconnects; the child closes its connection and exits. */
  stop(): void {
    if (this.#child.connected) this.#child.disconnect()
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      setTimeout(() => this.#child.kill('SIGKILL'), 5000).unref()
    }
  }

  #request(request: GeneratorRequest, durationMs: number): Promise<ClosedJobResult | PhaseJobResult | null> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        this.#child.kill('SIGKILL')
        reject(new Error(`latency generator: no answer within ${durationMs + jobSlackMs} ms`))
      }, durationMs + jobSlackMs)
      this.#pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer)
          if (reply.ok) resolve(reply.result)
          else reject(new Error(`latency generator: ${reply.error}`))
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.#child.send({ ...request, id })
    })
  }
}
