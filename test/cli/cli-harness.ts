// Runs `streamline-cli` as a user does: a child process with arguments, stdin, and its own home
// directory (profiles, history), returning exit code, stdout and stderr for exact assertions.
// The CLI is bundled once per test process with esbuild (scripts/bundle.ts's options) into a temp
// dir, so each run costs a bundled start, not a TypeScript-loader start.
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { bundleOptions } from '../../scripts/bundle.ts'
import { makeTempDir, removeTempDir, repositoryRoot } from '../helpers/broker-process.ts'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

export interface RunOptions {
  input?: string | Buffer
  env?: Record<string, string>
  timeoutMs?: number
  /** Send SIGINT after this many ms (Ctrl-C). */
  interruptAfterMs?: number
}

export interface CliHarness {
  /** Path of the bundled entry (for tmux tests that start it in a terminal). */
  entry: string
  home: string
  run(args: string[], options?: RunOptions): Promise<CliResult>
  close(): Promise<void>
}

let bundled: Promise<{ dir: string; entry: string }> | undefined

function bundleOnce(): Promise<{ dir: string; entry: string }> {
  bundled ??= (async () => {
    // Inside the repository, so the packages kept external (scripts/bundle.ts) resolve from node_modules.
    const dir = join(repositoryRoot, 'node_modules', '.cache', `streamline-cli-test-${process.pid}`)
    await build({
      ...bundleOptions,
      // The server beside the CLI, as in dist/bundle/: `quickstart` starts it from there.
      entryPoints: {
        'streamline-cli': join(repositoryRoot, 'src', 'cli', 'client', 'main.ts'),
        streamline: join(repositoryRoot, 'src', 'cli', 'streamline.ts'),
      },
      outdir: dir,
      define: {
        STREAMLINE_CLI_VERSION: JSON.stringify('0.0.0-test'),
        STREAMLINE_OPTION_TABLE_JSON: 'undefined',
      },
    })
    return { dir, entry: join(dir, 'streamline-cli.js') }
  })()
  return bundled
}

process.once('exit', () => {
  if (bundled !== undefined)
    rmSync(join(repositoryRoot, 'node_modules', '.cache', `streamline-cli-test-${process.pid}`), {
      recursive: true,
      force: true,
    })
})

const defaultRunTimeoutMs = 60_000

export async function startCliHarness(): Promise<CliHarness> {
  const { entry } = await bundleOnce()
  const home = await makeTempDir('streamline-cli-home-')
  const baseEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !key.startsWith('STREAMLINE_') &&
      key !== 'NO_COLOR' &&
      key !== 'NODE_TEST_CONTEXT'
    )
      baseEnv[key] = value
  }
  Object.assign(baseEnv, { STREAMLINE_CLI_HOME: home, TZ: 'UTC' })
  return {
    entry,
    home,
    run(args, options = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [entry, ...args], {
          cwd: repositoryRoot,
          env: { ...baseEnv, ...options.env },
          stdio: ['pipe', 'pipe', 'pipe'],
        })
        const stdout: Buffer[] = []
        const stderr: Buffer[] = []
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? defaultRunTimeoutMs)
        const interrupter =
          options.interruptAfterMs === undefined
            ? undefined
            : setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs)
        child.once('error', reject)
        child.once('close', (code) => {
          clearTimeout(killer)
          clearTimeout(interrupter)
          const stdoutBytes = Buffer.concat(stdout)
          resolve({
            code,
            stdout: stdoutBytes.toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            stdoutBytes,
          })
        })
        child.stdin.on('error', () => {}) // a command that does not read stdin may exit before we finish writing
        child.stdin.end(options.input ?? '')
      })
    },
    async close() {
      await removeTempDir(home)
    },
  }
}

/** Replaces the run time in summary lines (`in 0.12 s`) so stderr can be compared exactly. */
export function withoutTimings(text: string): string {
  return text.replace(/in \d+\.\d\d s/g, 'in T s').replace(/\(\d+ records\/s\)/g, '(R records/s)')
}
