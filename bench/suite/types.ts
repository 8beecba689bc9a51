// The contract between the benchmark runner (bench/suite/run.ts) and the workload modules.
//
// A workload measures one thing and reports it through the context: raw measurements (numbers with a
// unit) and targets (a ratio or a bound from issue #9, compared in the same run). The runner owns the
// order, the --quick/--only selection, the machine description and writing
// bench/results/<date>.json plus the summary in bench/RESULTS.md.

export interface BenchOptions {
  /** `--quick`: tiny sizes and durations, for the CI smoke run (the whole suite under a minute). */
  quick: boolean
  /** Seconds each timed phase runs for (shorter with --quick). */
  phaseSeconds: number
  /** A scratch directory for data dirs and files; removed by the runner at the end. */
  scratchDir: string
}

export interface Measurement {
  /** Stable id, dotted: `produce.1k.batch1m.acks1.p1.c1.mbPerSec`. */
  id: string
  /** What was measured, for the summary table. */
  label: string
  value: number
  /** `MB/s`, `records/s`, `ms`, `MB`, `s/GiB`, ... */
  unit: string
  /** Anything else worth keeping (sample counts, percentiles, client used). */
  details?: Record<string, number | string | boolean>
}

export interface Target {
  /** Stable id: `target.produce-vs-socket-to-file`. */
  id: string
  /** The target as the issue states it. */
  description: string
  /** The measured value the target is about (a ratio, or an absolute like ms / MB). */
  actual: number
  /** `>=` actual must reach the bound; `<=` it must stay under it. */
  comparator: '>=' | '<='
  bound: number
  unit: string
  /** How `actual` was computed: `broker 812 MB/s / baseline 1020 MB/s`. */
  basis: string
  /** Null when the inputs are missing (an alternative not installed): reported, not counted. */
  met: boolean | null
}

export interface BenchContext {
  readonly options: BenchOptions
  record(measurement: Measurement): void
  target(target: Omit<Target, 'met'> & { met?: boolean | null }): void
  /** Measurements recorded so far in this run (by id), so a workload can form ratios with baselines. */
  measured(id: string): Measurement | undefined
  /** Progress for the terminal; not part of the results. */
  log(message: string): void
}

export interface Workload {
  /** Short name used by `--only`: `baselines`, `produce`, `fetch`, `latency`, ... */
  name: string
  /** Run order: baselines first so ratios can be formed. */
  order: number
  run(context: BenchContext): Promise<void>
}
