// Runs `streamline` (the real CLI, as `npm start` does) as a child process for lifecycle tests, and
// exposes what those need beyond test/helpers/broker-process.ts: the exit code, the HTTP address
// (from the "streamline started" line) and signals. Every wait is bounded.

import { type ChildProcess, spawn } from 'node:child_process'
import { freePortListenerArgs, repositoryRoot } from '../helpers/broker-process.ts'

const startTimeoutMs = 20_000
const exitTimeoutMs = 30_000

export interface CliProcess {
  kafka: string
  http: string
  child: ChildProcess
  output(): string
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

export function runCli(args: string[]): {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
} {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/streamline.ts', ...args], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  let text = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk
  })
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`streamline did not exit within ${exitTimeoutMs} ms\n${text}`))
    }, exitTimeoutMs)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
  return { child, output: () => text, exited }
}

/** Starts the broker and resolves once it logged "streamline started". */
export async function startCli(args: string[]): Promise<CliProcess> {
  const run = runCli([...freePortListenerArgs, '--log-format', 'json', ...args])
  const started = await new Promise<{ kafka: string; http: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line\n${run.output()}`)), startTimeoutMs)
    const check = (): void => {
      for (const line of run.output().split('\n')) {
        if (!line.includes('"streamline started"')) continue
        const parsed = JSON.parse(line) as { kafka: string; http: string }
        clearTimeout(timer)
        resolve(parsed)
        return
      }
    }
    run.child.stdout?.on('data', check)
    run.exited.then(
      (code) => reject(new Error(`exited with ${code} before starting\n${run.output()}`)),
      reject,
    )
  })
  return { ...run, kafka: started.kafka, http: started.http }
}
