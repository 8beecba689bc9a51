// `npm run bench`: runs the benchmark suite (issue #9) and writes its results.
//
//   npm run bench                       the whole suite (~15 min); writes bench/results/<date>.json and
//                                       the generated section of bench/RESULTS.md
//   npm run bench -- --quick            tiny sizes, under a minute (CI); JSON to a temp dir only
//   options: --only baselines,produce   --phase-seconds N   --write-results   --out <file.json>
//            (--out: the JSON goes there and RESULTS.md is left alone unless --write-results)
//            --broker-entry dist|tsx    --no-build    --cpu-prof <dir> (a V8 profile per broker)
//
// Workloads run one after another in `order` (baselines first, so ratios can be formed), each against
// brokers it launches as separate processes (bench/suite/broker.ts). The exit code is non-zero only
// when a workload throws: a missed target is a result, not a failure.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type BrokerEntry,
  forceBrokerEntry,
  prepareBrokerEntry,
  repositoryRoot,
  setBrokerNodeArgs,
} from './broker.ts'
import { describeMachine, loadAverage } from './machine.ts'
import {
  markdownSection,
  type SuiteResults,
  terminalSummary,
  updateResultsMarkdown,
  type WorkloadOutcome,
  writeJson,
} from './report.ts'
import type { BenchContext, BenchOptions, Measurement, Target } from './types.ts'
import { workloads } from './workloads/index.ts'

const phaseSecondsFull = 5
const phaseSecondsQuick = 0.5

interface RunFlags {
  options: Omit<BenchOptions, 'scratchDir'>
  only: string[] | null
  writeResults: boolean
  out: string | null
  brokerEntry: BrokerEntry | null
  build: boolean
  /** Directory for a V8 CPU profile of every broker (`node --cpu-prof`), written when each stops. */
  cpuProfileDir: string | null
}

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}

function parseFlags(argv: string[]): RunFlags {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'phase-seconds': { type: 'string' },
      'write-results': { type: 'boolean', default: false },
      out: { type: 'string' },
      'broker-entry': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  })
  const quick = values.quick === true
  const phaseSeconds = values['phase-seconds'] === undefined ? Number.NaN : Number(values['phase-seconds'])
  if (values['phase-seconds'] !== undefined && !(phaseSeconds > 0)) usageError('--phase-seconds must be > 0')
  const only = values.only === undefined ? null : values.only.split(',').map((name) => name.trim())
  const known = new Set(workloads.map((workload) => workload.name))
  const unknown = (only ?? []).filter((name) => !known.has(name))
  if (unknown.length > 0)
    usageError(`unknown workload ${unknown.join(', ')} (known: ${[...known].join(', ')})`)
  const entry = values['broker-entry']
  if (entry !== undefined && entry !== 'dist' && entry !== 'tsx') usageError('--broker-entry is dist or tsx')
  return {
    options: {
      quick,
      phaseSeconds: Number.isNaN(phaseSeconds)
        ? quick
          ? phaseSecondsQuick
          : phaseSecondsFull
        : phaseSeconds,
    },
    only,
    // --out sends the JSON elsewhere and leaves bench/RESULTS.md alone unless --write-results says so.
    writeResults: values['write-results'] === true || (!quick && values.out === undefined),
    out: values.out ?? null,
    brokerEntry: entry ?? null,
    // --quick never builds: a CI smoke run must not spend its minute compiling.
    build: values['no-build'] !== true && !quick,
    cpuProfileDir: values['cpu-prof'] ?? null,
  }
}

function makeContext(
  options: BenchOptions,
  measurements: Map<string, Measurement>,
  targets: Target[],
): BenchContext {
  return {
    options,
    record(measurement) {
      if (measurements.has(measurement.id)) throw new Error(`measurement ${measurement.id} recorded twice`)
      measurements.set(measurement.id, measurement)
    },
    target(target) {
      const met =
        target.met !== undefined
          ? target.met
          : !Number.isFinite(target.actual)
            ? null
            : target.comparator === '>='
              ? target.actual >= target.bound
              : target.actual <= target.bound
      targets.push({ ...target, met })
    },
    measured: (id) => measurements.get(id),
    log: (message) => process.stdout.write(`  ${message}\n`),
  }
}

async function runWorkloads(
  context: BenchContext,
  selected: readonly string[] | null,
): Promise<WorkloadOutcome[]> {
  const outcomes: WorkloadOutcome[] = []
  const chosen = workloads
    .filter((workload) => selected === null || selected.includes(workload.name))
    .sort((a, b) => a.order - b.order)
  for (const workload of chosen) {
    process.stdout.write(`\n== ${workload.name}\n`)
    const started = performance.now()
    try {
      await workload.run(context)
      outcomes.push({ name: workload.name, status: 'ok', seconds: (performance.now() - started) / 1000 })
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      process.stderr.write(`workload ${workload.name} failed: ${message}\n`)
      outcomes.push({
        name: workload.name,
        status: 'failed',
        seconds: (performance.now() - started) / 1000,
        error: message.split('\n')[0],
      })
    }
  }
  return outcomes
}

/** Where the JSON goes: --out, else bench/results/<date>.json when writing results, else a temp dir. */
function jsonPathOf(flags: RunFlags, date: string): string {
  if (flags.out !== null) return flags.out
  if (flags.writeResults) return join(repositoryRoot, 'bench/results', `${date}.json`)
  return join(os.tmpdir(), 'streamline-bench-results', `${date}-quick.json`)
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2))
  const started = new Date()
  const scratchDir = await mkdtemp(join(os.tmpdir(), 'streamline-bench-'))
  const removeScratch = (): Promise<void> => rm(scratchDir, { recursive: true, force: true, maxRetries: 3 })
  process.once('SIGINT', () => {
    void removeScratch().finally(() => process.exit(130))
  })
  const log = (message: string): void => void process.stdout.write(`${message}\n`)
  if (flags.cpuProfileDir !== null) {
    await mkdir(flags.cpuProfileDir, { recursive: true })
    setBrokerNodeArgs(['--cpu-prof', '--cpu-prof-dir', flags.cpuProfileDir])
  }
  const machine = describeMachine(scratchDir)
  const entry =
    flags.brokerEntry === null
      ? await prepareBrokerEntry({ build: flags.build, log })
      : forceBrokerEntry(flags.brokerEntry)
  log(
    `bench: ${flags.options.quick ? 'quick' : 'full'} run, phases ${flags.options.phaseSeconds} s, broker from ${entry.entry} (${entry.reason}), load average ${machine.loadAverageBefore.join(' / ')}`,
  )
  const measurements = new Map<string, Measurement>()
  const targets: Target[] = []
  const options: BenchOptions = { ...flags.options, scratchDir }
  let outcomes: WorkloadOutcome[]
  try {
    outcomes = await runWorkloads(makeContext(options, measurements, targets), flags.only)
  } finally {
    await removeScratch()
  }
  const finished = new Date()
  const date = started.toISOString().slice(0, 10)
  const results: SuiteResults = {
    date,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    options: { quick: flags.options.quick, phaseSeconds: flags.options.phaseSeconds, only: flags.only },
    machine: {
      ...machine,
      loadAverageAfter: loadAverage(),
      brokerEntry: entry.entry,
      brokerEntryReason: entry.reason,
    },
    workloads: outcomes,
    measurements: [...measurements.values()],
    targets,
  }
  const jsonPath = jsonPathOf(flags, date)
  await writeJson(jsonPath, results)
  if (flags.writeResults) {
    await mkdir(join(repositoryRoot, 'bench'), { recursive: true })
    const relativeJson = jsonPath.startsWith(repositoryRoot)
      ? jsonPath.slice(repositoryRoot.length + 1)
      : jsonPath
    await updateResultsMarkdown(
      join(repositoryRoot, 'bench/RESULTS.md'),
      markdownSection(results, relativeJson),
    )
  }
  log(terminalSummary(results))
  log(`\nresults: ${jsonPath}${flags.writeResults ? ' and bench/RESULTS.md' : ''}`)
  return outcomes.some((outcome) => outcome.status === 'failed') ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exit(1)
  },
)
