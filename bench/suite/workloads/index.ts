// THE list of workloads the runner knows (`--only` picks from these names). Static on purpose: a
// workload is found by reading this file, and a typo fails the type check rather than a run.
// The runner sorts by each workload's `order`; the list order here is only for reading.
import type { Workload } from '../types.ts'
import { alternatives } from './alternatives.ts'
import { baselines } from './baselines.ts'
import { cli } from './cli.ts'
import { clusterWorkload } from './cluster.ts'
import { connect } from './connect.ts'
import { connectFlow } from './connect-flow.ts'
import { consoleWorkload } from './console.ts'
import { embedded } from './embedded.ts'
import { fetchWorkload } from './fetch.ts'
import { footprint } from './footprint.ts'
import { group } from './group.ts'
import { latency } from './latency.ts'
import { produce } from './produce.ts'
import { registry } from './registry.ts'
import { sql } from './sql.ts'
import { tiered } from './tiered.ts'

export const workloads: readonly Workload[] = [
  baselines,
  produce,
  fetchWorkload,
  latency,
  group,
  alternatives,
  cli,
  footprint,
  tiered,
  sql,
  registry,
  embedded,
  connect,
  connectFlow,
  consoleWorkload,
  clusterWorkload,
]
