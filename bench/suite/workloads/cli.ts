// CLI workload (issue #14): `streamline-cli` against kcat, same broker, same data, same run.
//
// Method: the CLI is bundled as it ships (scripts/bundle.ts's options; the bundle is what the `bin`
// runs) into node_modules/.cache (so its external native packages resolve). A broker process on a
// fresh data dir; a file of 1M lines of 99 bytes + `\n` (100-byte records; 20k with --quick).
// - produce: `kcat -P -l <file>` into one topic and `streamline-cli produce --file <file>` into another
//   (one partition each, each tool's default acks: all for both). Wall time of the whole process.
// - consume: `kcat -C -e -o beginning -q` and `streamline-cli consume` (reads to the end at start, then
//   exits) of the 1M records, stdout into a pipe read here (bytes counted and checked).
// - start: `streamline-cli --version` spawned 10 times (3 with --quick), before this workload's broker
//   starts: the median wall time, with `node -e 0` on the same machine beside it for reference.
// Targets: CLI rate >= 50 % of kcat's for both, --version < 150 ms. When kcat is not installed, the
// kcat runs are skipped and their targets reported with met = null.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { bundleOptions } from '../../../scripts/bundle.ts'
import { findExecutable } from '../alternatives/servers.ts'
import { launchBroker, repositoryRoot } from '../broker.ts'
import type { BenchContext, Workload } from '../types.ts'

const recordBytes = 100
const processTimeoutMs = 600_000

interface Run {
  seconds: number
  stdoutBytes: number
  stderr: string
}

function runProcess(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdoutBytes = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), processTimeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      const seconds = (performance.now() - started) / 1000
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))
      else resolve({ seconds, stdoutBytes, stderr })
    })
  })
}

async function bundleCli(): Promise<{ dir: string; entry: string }> {
  const dir = join(repositoryRoot, 'node_modules', '.cache', `streamline-cli-bench-${process.pid}`)
  await build({
    ...bundleOptions,
    entryPoints: { 'streamline-cli': join(repositoryRoot, 'src', 'cli', 'client', 'main.ts') },
    outdir: dir,
    define: {
      STREAMLINE_CLI_VERSION: JSON.stringify('0.0.0-bench'),
      STREAMLINE_OPTION_TABLE_JSON: 'undefined',
    },
  })
  return { dir, entry: join(dir, 'streamline-cli.js') }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function startTimes(entry: string, runs: number): Promise<{ cliMs: number; nodeMs: number }> {
  const cli: number[] = []
  const node: number[] = []
  for (let index = 0; index < runs; index++) {
    cli.push((await runProcess(process.execPath, [entry, '--version'])).seconds * 1000)
    node.push((await runProcess(process.execPath, ['-e', '0'])).seconds * 1000)
  }
  return { cliMs: median(cli), nodeMs: median(node) }
}

function rateTarget(
  context: BenchContext,
  id: string,
  description: string,
  cli: number,
  kcat: number | null,
): void {
  context.target({
    id,
    description,
    actual: kcat === null ? 0 : cli / kcat,
    comparator: '>=',
    bound: 0.5,
    unit: 'ratio',
    basis:
      kcat === null
        ? `streamline-cli ${Math.round(cli)} records/s; kcat not installed (apt-get install kcat)`
        : `streamline-cli ${Math.round(cli)} records/s / kcat ${Math.round(kcat)} records/s`,
    met: kcat === null ? null : cli / kcat >= 0.5,
  })
}

export const cli: Workload = {
  name: 'cli',
  order: 80,
  async run(context) {
    const records = context.options.quick ? 20_000 : 1_000_000
    const kcat = findExecutable('kcat')
    const scratch = await mkdtemp(join(context.options.scratchDir, 'cli-'))
    const { dir, entry } = await bundleCli()
    // Start times first, with no broker of this workload running: a broker still writing and indexing
    // 2M records beside the probes measured its load, not the CLI's start (236 ms vs node's 209 ms).
    const starts = await startTimes(entry, context.options.quick ? 3 : 10)
    const broker = await launchBroker({ dataDir: join(scratch, 'data') })
    try {
      const cliArgs = (...args: string[]): string[] => [entry, '-b', broker.bootstrap, ...args]
      const file = join(scratch, 'lines.txt')
      await writeFile(file, `${'x'.repeat(recordBytes - 1)}\n`.repeat(records))
      for (const topic of ['bench-cli', 'bench-kcat'])
        await runProcess(process.execPath, cliArgs('topics', 'create', topic))

      context.log(`cli: produce --file ${records} records`)
      const cliProduce = await runProcess(process.execPath, cliArgs('produce', 'bench-cli', '--file', file))
      const kcatProduce =
        kcat === null
          ? null
          : await runProcess(kcat, ['-P', '-b', broker.bootstrap, '-t', 'bench-kcat', '-l', file])
      context.log('cli: consume')
      const cliConsume = await runProcess(process.execPath, cliArgs('consume', 'bench-cli'))
      const kcatConsume =
        kcat === null
          ? null
          : await runProcess(kcat, [
              '-C',
              '-b',
              broker.bootstrap,
              '-t',
              'bench-kcat',
              '-e',
              '-o',
              'beginning',
              '-q',
            ])
      for (const [name, run] of [
        ['streamline-cli', cliConsume],
        ['kcat', kcatConsume],
      ] as const) {
        if (run !== null && run.stdoutBytes !== records * recordBytes)
          throw new Error(
            `${name} consume printed ${run.stdoutBytes} bytes, expected ${records * recordBytes}`,
          )
      }
      const rate = (run: Run | null): number | null => (run === null ? null : records / run.seconds)
      const details = { records, recordBytes, partitions: 1 }
      const measurements: [string, string, Run | null][] = [
        ['cli.produce-file.streamline-cli', 'streamline-cli produce --file (whole process)', cliProduce],
        ['cli.produce-file.kcat', 'kcat -P -l (whole process)', kcatProduce],
        ['cli.consume.streamline-cli', 'streamline-cli consume to a pipe (whole process)', cliConsume],
        ['cli.consume.kcat', 'kcat -C -e to a pipe (whole process)', kcatConsume],
      ]
      for (const [id, label, run] of measurements) {
        if (run === null) continue
        context.record({
          id: `${id}.recordsPerSec`,
          label: `${label}, ${records} records of ${recordBytes} B`,
          value: records / run.seconds,
          unit: 'records/s',
          details: { ...details, seconds: Number(run.seconds.toFixed(3)) },
        })
      }
      rateTarget(
        context,
        'target.cli-produce-file-vs-kcat',
        'streamline-cli produce --file >= 50 % of kcat -P',
        rate(cliProduce) ?? 0,
        rate(kcatProduce),
      )
      rateTarget(
        context,
        'target.cli-consume-vs-kcat',
        'streamline-cli consume to a pipe >= 50 % of kcat -C',
        rate(cliConsume) ?? 0,
        rate(kcatConsume),
      )

      context.record({
        id: 'cli.version.startMs',
        label: 'streamline-cli --version, process start to exit (median)',
        value: starts.cliMs,
        unit: 'ms',
        details: { nodeEmptyScriptMs: Number(starts.nodeMs.toFixed(1)) },
      })
      context.target({
        id: 'target.cli-version-start',
        description: 'streamline-cli --version starts in < 150 ms',
        actual: starts.cliMs,
        comparator: '<=',
        bound: 150,
        unit: 'ms',
        basis: `median ${starts.cliMs.toFixed(0)} ms (node -e 0: ${starts.nodeMs.toFixed(0)} ms)`,
      })
    } finally {
      await broker.stop()
      await rm(scratch, { recursive: true, force: true })
      await rm(dir, { recursive: true, force: true })
    }
  },
}
