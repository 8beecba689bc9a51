// A `streamline connect --group-id …` worker process for distributed-mode tests: started against a
// broker with a free REST port and short group timeouts, its output kept (JSON log lines) so tests can
// read its REST URL, its assignments and what it logged.
import { type ChildProcess, spawn } from 'node:child_process'
import { repositoryRoot, waitForExit } from './broker-process.ts'
import { waitFor } from './connect.ts'

export interface ConnectWorkerProcess {
  child: ChildProcess
  url: string
  workerId: string
  output: () => string
  /** The JSON log lines with `msg` equal to `message`. */
  logged: (message: string) => Array<Record<string, unknown>>
}

export async function startConnectWorker(
  bootstrap: string,
  groupId: string,
  extraArgs: string[] = [],
): Promise<ConnectWorkerProcess> {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/streamline.ts',
      'connect',
      '--bootstrap',
      bootstrap,
      '--connect-addr',
      '127.0.0.1:0',
      '--group-id',
      groupId,
      '--session-timeout-ms',
      '6000',
      '--heartbeat-interval-ms',
      '1000',
      '--scheduled-rebalance-max-delay-ms',
      '2000',
      '--offset-flush-interval-ms',
      '500',
      ...extraArgs,
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'], env },
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const logged = (message: string): Array<Record<string, unknown>> =>
    output
      .split('\n')
      .filter((line) => line.includes(`"msg":"${message}"`))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  const address = await waitFor('connect listening', async () => {
    const line = logged('connect listening')[0]
    return line === undefined ? undefined : (line as { host: string; port: number })
  })
  return {
    child,
    url: `http://${address.host}:${address.port}`,
    workerId: `${address.host}:${address.port}`,
    output: () => output,
    logged,
  }
}

/** Is the worker's last logged Connect group assignment one where it leads? */
export function leadsGroup(worker: ConnectWorkerProcess): boolean {
  const last = worker.logged('Connect group assignment').at(-1)
  return last !== undefined && last.leader === true
}

export async function stopConnectWorker(worker: ConnectWorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return
  worker.child.kill('SIGKILL')
  await waitForExit(worker.child, 10_000)
}
