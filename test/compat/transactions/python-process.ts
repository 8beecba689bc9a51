// A long-running Python client process (Debian's /usr/bin/python3, which sees confluent-kafka) that
// reports as it goes: each stdout line that is a JSON object is an event. A test waits for an event
// (for example "3,000 records committed") to act on the broker in the middle of the run, then waits
// for the process to end and reads its last event. Every wait is bounded; the process is killed
// (SIGKILL) by stop() and on a timeout. stderr is kept (bounded) for failure messages.
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { debianPython } from '../../helpers/clients.ts'

const outputCharsMax = 200_000
const eventsMax = 100_000

/** The Python scripts next to this file. */
export const clientScriptsDir = join(dirname(fileURLToPath(import.meta.url)), 'clients')

export type PythonEvent = Record<string, unknown>

export class PythonProcess {
  readonly events: PythonEvent[] = []
  #stderr = ''
  #pending = ''
  #exit: Promise<number | null>
  #exited = false

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => this.#onStdout(chunk))
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-outputCharsMax)
    })
    this.#exit = new Promise((resolve) => {
      child.once('close', (code) => {
        this.#exited = true
        resolve(code)
      })
      child.once('error', (error) => {
        this.#stderr += `\nspawn failed: ${error.message}`
        this.#exited = true
        resolve(null)
      })
    })
  }

  /** Runs `clients/<script>` with `args`. */
  static start(script: string, args: string[]): PythonProcess {
    const child = spawn(debianPython, ['-u', join(clientScriptsDir, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return new PythonProcess(child)
  }

  #onStdout(chunk: string): void {
    this.#pending += chunk
    for (let newline = this.#pending.indexOf('\n'); newline !== -1; newline = this.#pending.indexOf('\n')) {
      const line = this.#pending.slice(0, newline).trim()
      this.#pending = this.#pending.slice(newline + 1)
      if (!line.startsWith('{')) continue
      try {
        if (this.events.length < eventsMax) this.events.push(JSON.parse(line) as PythonEvent)
      } catch {
        this.#stderr += `\nunparsable stdout line: ${line.slice(0, 200)}`
      }
    }
  }

  get exited(): boolean {
    return this.#exited
  }

  /** Resolves with the first event (from the start) matching `predicate`; rejects after `timeoutMs`
   * or when the process ends without one. */
  async waitForEvent(predicate: (event: PythonEvent) => boolean, timeoutMs: number): Promise<PythonEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(predicate)
      if (found !== undefined) return found
      if (this.#exited) throw new Error(`the client exited without the awaited event\n${this.describe()}`)
      if (Date.now() > deadline)
        throw new Error(`no awaited event within ${timeoutMs} ms\n${this.describe()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Waits (bounded) for the exit; returns the last event. Kills the process on a timeout. */
  async result(timeoutMs: number): Promise<PythonEvent> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const outcome = await Promise.race([this.#exit, timedOut])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      await this.stop()
      throw new Error(`the client did not finish within ${timeoutMs} ms\n${this.describe()}`)
    }
    const last = this.events.at(-1)
    if (outcome !== 0 || last === undefined)
      throw new Error(`the client exited with ${outcome}\n${this.describe()}`)
    return last
  }

  async stop(): Promise<void> {
    if (this.#exited) return
    this.child.kill('SIGKILL')
    await this.#exit
  }

  /** The last events and stderr, for failure messages. */
  describe(): string {
    const events = this.events.slice(-10).map((event) => JSON.stringify(event).slice(0, 500))
    return `--- last client events ---\n${events.join('\n')}\n--- client stderr ---\n${this.#stderr.slice(-8_000)}`
  }
}
