// Shared by the in-process client tests: kcat as a child process (JSON output), and waiting for a
// condition instead of sleeping.

import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'

export const clientTimeoutMs = 30_000

export function runKcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kcat',
      args,
      { timeout: clientTimeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    )
    child.stdin?.end(input ?? '')
  })
}

/** One record as `kcat -C -J` prints it. */
export interface KcatRecord {
  topic: string
  partition: number
  offset: number
  tstype: string
  ts: number
  headers?: string[]
  key: string | null
  payload: string | null
}

export async function kcatConsume(
  bootstrap: string,
  topic: string,
  extra: string[] = [],
): Promise<KcatRecord[]> {
  const out = await runKcat([
    '-b',
    bootstrap,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-J',
    '-q',
    ...extra,
  ])
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord)
}

export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
