// Schema registry (issue 15): registration rate; GET /schemas/ids/{id} and POST /subjects/{s} (lookup)
// p50/p99 at a fixed offered rate on keep-alive connections (target: p99 under 2 ms at 5,000 req/s);
// RSS with 10,000 schemas above the idle broker (target: under 30 MB).
// Method: the CLI broker as a child process (disk log, free ports). RSS "with N schemas" is taken on a
// broker restarted over the data dir: idle (registry not loaded), then after one request loads the
// registry and replays the N schemas. Measured right after registering instead, RSS also holds the
// process's warm-up from thousands of HTTP requests and durable writes (JIT code, malloc arenas of V8's
// compiler threads, a grown young generation), which is not the schemas' cost; that figure is recorded
// too (`afterRegistrationAboveIdleMB`). A heap snapshot diff (10k registrations) found ~1 KB of heap
// per schema; the rest of the growth was outside the V8 heap.
// The load generator (native/http-open-loop.c, built at run time, in its own process; the Node one,
// registry-http.ts, when no C compiler is found: registry-load.ts) and the broker (its own process)
// share the machine's cores; the CPU each spends per request is recorded beside the latency. Each
// latency phase follows a one-second warm-up at the same rate on the same connections (the routes'
// code compiled). The apparatus floor is measured in the same run, right after the registry's phases:
// the same generator, rate, warm-up and GET requests against a Node process answering fixed bytes of
// the GET answer's size (load/fixed-answer-server.ts), `registry.loadFloor.*`, named in each p99
// target's basis: the part of the registry's p99 that no registry code could remove on this machine.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { makeTempDir, parseRegistryLine, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { type LaunchedBroker, launchBroker } from '../broker.ts'
import {
  httpUrlOfBroker,
  type RuntimeDuringPhase,
  runtimeDuring,
  snapshotRuntime,
} from '../load/broker-runtime.ts'
import type { BenchContext, Workload } from '../types.ts'
import type { OpenLoopResult } from './open-loop-result.ts'
import { RegistryHttp } from './registry-http.ts'
import { chooseLoadGenerators, type LoadGenerator, type LoadGenerators } from './registry-load.ts'
import { type LatencyRequest, schemaOf, subjectOf } from './registry-requests.ts'

const mb = 1024 * 1024
const targetRate = 5000
const clients = 8

function registryUrlOf(broker: LaunchedBroker): string {
  for (const line of broker.output().split('\n')) {
    const found = parseRegistryLine(line.trim())
    if (found !== null) return `http://${found.host}:${found.port}`
  }
  throw new Error('the broker logged no "registry listening" line')
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function registerAll(http: RegistryHttp, count: number): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let n = next++; n < count; n = next++) {
        const status = await http.call(
          'POST',
          `/subjects/${subjectOf(n)}/versions`,
          JSON.stringify({ schema: schemaOf(n) }),
        )
        if (status !== 200) throw new Error(`registration ${n} answered ${status}`)
      }
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

interface LatencyLoad {
  schemaCount: number
  rate: number
  seconds: number
}

/** What every p99 target's basis says of the apparatus: the generator, and the floor measured with it. */
interface Apparatus {
  generators: LoadGenerators
  floor: OpenLoopResult
}

const fixedAnswerServerEntry = fileURLToPath(new URL('../load/fixed-answer-server.ts', import.meta.url))

/** A warm-up, then the measured GET phase (what the registry phases do). */
async function warmedOpenLoop(
  context: BenchContext,
  generator: LoadGenerator,
  name: LatencyRequest,
  load: LatencyLoad,
  between: () => Promise<void> = async () => {},
): Promise<OpenLoopResult> {
  const { schemaCount, rate, seconds } = load
  // Warm-up at the same rate, not measured: the first requests of a route compile its code.
  await generator.openLoop({ request: name, rate, seconds: context.options.quick ? 0.1 : 1, schemaCount })
  await between()
  return generator.openLoop({ request: name, rate, seconds, schemaCount })
}

/** The generator's own details of a phase (the C generator's send lag, why the first request failed). */
function generatorDetails(result: OpenLoopResult): Record<string, number | string> {
  return {
    failures: result.failures,
    samples: result.samples,
    maxMs: result.maxMs,
    slowSlots: result.slowSlots.join('; '),
    clientCpuMicrosPerRequest: result.clientCpuMicrosPerRequest,
    ...(result.fromSendP99Ms === undefined ? {} : { p99FromSendMs: result.fromSendP99Ms }),
    ...(result.lateSends === undefined ? {} : { clientLateSends: result.lateSends }),
    ...(result.sendLagMaxMs === undefined ? {} : { clientSendLagMaxMs: result.sendLagMaxMs }),
    ...(result.firstFailure ? { firstFailure: result.firstFailure } : {}),
  }
}

/** What the C generator says of its own late sends, for a basis ("" for the Node generator). */
function sendShare(result: OpenLoopResult): string {
  if (result.fromSendP99Ms === undefined) return ''
  return ` (p99 from the actual send ${result.fromSendP99Ms.toFixed(2)} ms; ${result.lateSends} sends over 1 ms late, latest ${result.sendLagMaxMs?.toFixed(1)} ms)`
}

/** The apparatus floor: the generator's GET phases against a server answering fixed bytes. */
async function measureFloor(
  context: BenchContext,
  generators: LoadGenerators,
  load: LatencyLoad,
): Promise<OpenLoopResult> {
  // The GET answer's body for a schema of the workload (node:http's headers are added by the server).
  const server = fork(fixedAnswerServerEntry, [JSON.stringify({ schema: schemaOf(1) })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(server, 'exit')
  try {
    const [{ port }] = (await once(server, 'message')) as [{ port: number }]
    const generator = generators.start(`http://127.0.0.1:${port}`)
    try {
      const result = await warmedOpenLoop(context, generator, 'getById', load)
      const details = {
        offeredPerSec: load.rate,
        generator: generators.description,
        ...generatorDetails(result),
      }
      context.record({
        id: 'registry.loadFloor.p50Ms',
        label: 'apparatus floor p50 (the generator against a fixed-answer server)',
        value: result.p50Ms,
        unit: 'ms',
        details,
      })
      context.record({
        id: 'registry.loadFloor.p99Ms',
        label: 'apparatus floor p99 (the generator against a fixed-answer server)',
        value: result.p99Ms,
        unit: 'ms',
        details,
      })
      return result
    } finally {
      await generator.close()
    }
  } finally {
    if (server.connected) server.disconnect()
    await exited
  }
}

/** GET by id and lookup, open-loop at `rate` from the generator's process, against the p99 target. */
async function measureLatency(
  context: BenchContext,
  broker: LaunchedBroker,
  base: string,
  load: LatencyLoad,
): Promise<void> {
  const generators = await chooseLoadGenerators(context.options.scratchDir)
  context.log(`registry: load generator ${generators.description}`)
  const generator = generators.start(base)
  const recorders: ((apparatus: Apparatus) => void)[] = []
  try {
    for (const name of ['getById', 'lookup'] as const)
      recorders.push(await measureOne(context, broker, generator, name, load))
  } finally {
    await generator.close()
  }
  // The floor after the registry's phases: they follow the registrations by a second, as a user's
  // reads after a burst would (the broker idles meanwhile).
  const apparatus = { generators, floor: await measureFloor(context, generators, load) }
  for (const record of recorders) record(apparatus)
}

/**
 * One request kind: a warm-up, then the measured phase; gives what records it against the target
 * once the apparatus floor is known.
 */
async function measureOne(
  context: BenchContext,
  broker: LaunchedBroker,
  generator: LoadGenerator,
  name: LatencyRequest,
  load: LatencyLoad,
): Promise<(apparatus: Apparatus) => void> {
  // The broker's GC pauses and event-loop delay over the phase, from its /metrics (a scrape before and
  // one after): whether a mark-compact or the scheduler made the p99.
  const httpUrl = httpUrlOfBroker(broker)
  let before = await snapshotRuntime(httpUrl, broker)
  const result = await warmedOpenLoop(context, generator, name, load, async () => {
    before = await snapshotRuntime(httpUrl, broker)
  })
  const runtime = runtimeDuring(before, await snapshotRuntime(httpUrl, broker))
  return (apparatus) => recordOne(context, { name, rate: load.rate, result, runtime, apparatus })
}

/** The measurements and the target of one request kind's phase. */
function recordOne(
  context: BenchContext,
  phase: {
    name: LatencyRequest
    rate: number
    result: OpenLoopResult
    runtime: RuntimeDuringPhase
    apparatus: Apparatus
  },
): void {
  const { name, rate, result, runtime, apparatus } = phase
  const { quick } = context.options
  const brokerCpuMicrosPerRequest = (runtime.brokerCpuSeconds * 1e6) / result.samples
  const what = name === 'getById' ? 'GET /schemas/ids/{id}' : 'POST /subjects/{s} (lookup)'
  const { floor, generators } = apparatus
  const details = {
    offeredPerSec: rate,
    generator: generators.description,
    loadFloorP99Ms: floor.p99Ms,
    ...generatorDetails(result),
    // CPU per request of each side (the generator and the broker each in its own process): the
    // load on the shared machine moves the latency far more than these.
    brokerCpuMicrosPerRequest,
    brokerGcPauses: runtime.gcPauses,
    brokerGcPauseTotalMs: runtime.gcPauseTotalMs,
    brokerGcPauseMaxBoundMs: runtime.gcPauseMaxBoundMs,
    brokerMajorGcPauses: runtime.majorGcPauses,
    brokerMajorGcPauseTotalMs: runtime.majorGcPauseTotalMs,
    brokerEventLoopDelayP99Ms: runtime.eventLoopDelayP99Ms,
    brokerEventLoopDelayMaxMs: runtime.eventLoopDelayMaxMs,
  }
  context.record({
    id: `registry.${name}.p50Ms`,
    label: `${what} p50`,
    value: result.p50Ms,
    unit: 'ms',
    details,
  })
  context.record({
    id: `registry.${name}.p99Ms`,
    label: `${what} p99`,
    value: result.p99Ms,
    unit: 'ms',
    details,
  })
  context.record({
    id: `registry.${name}.achievedPerSec`,
    label: `${what} achieved rate (offered ${rate}/s)`,
    value: result.achievedPerSec,
    unit: 'req/s',
  })
  context.target({
    id: `target.registry-${name}-p99`,
    description: `${what}: p99 under 2 ms at ${targetRate} req/s on keep-alive connections`,
    actual: result.p99Ms,
    comparator: '<=',
    bound: 2,
    unit: 'ms',
    basis: `p99 ${result.p99Ms.toFixed(2)} ms at ${Math.round(result.achievedPerSec)} req/s achieved (offered ${rate}), ${result.failures} failures; CPU per request: broker ${Math.round(brokerCpuMicrosPerRequest)} µs, load generator ${Math.round(result.clientCpuMicrosPerRequest)} µs; broker GC ${runtime.gcPauses} pauses (${runtime.gcPauseTotalMs.toFixed(1)} ms, longest ≤ ${runtime.gcPauseMaxBoundMs} ms), of which mark-compacts ${runtime.majorGcPauses} (${runtime.majorGcPauseTotalMs.toFixed(1)} ms); event-loop delay max ${runtime.eventLoopDelayMaxMs.toFixed(1)} ms; answers over 2 ms by 100 ms slot: ${result.slowSlots.join('; ') || 'none'}; load generator ${generators.description}${sendShare(result)}, its floor (against a fixed-answer Node server, same rate, this run) p99 ${floor.p99Ms.toFixed(2)} ms, p50 ${floor.p50Ms.toFixed(2)} ms${sendShare(floor)}`,
    // A quick run offers a tenth of the rate: reported, not judged.
    met: quick ? null : result.p99Ms <= 2 && result.failures === 0,
  })
}

/** One restart over the data dir: RSS idle, then with the registry loaded and the schemas replayed. */
async function restartedRss(dataDir: string): Promise<{ idleBytes: number; loadedBytes: number }> {
  const broker = await launchBroker({ dataDir })
  const http = new RegistryHttp(registryUrlOf(broker))
  try {
    await settle(1000)
    const idleBytes = broker.rssBytes()
    const status = await http.call('GET', '/schemas/ids/1')
    if (status !== 200) throw new Error(`GET /schemas/ids/1 after restart answered ${status}`)
    await settle(1000)
    return { idleBytes, loadedBytes: broker.rssBytes() }
  } finally {
    http.close()
    await broker.stop()
  }
}

/**
 * RSS with the schemas above the idle broker: the median of a few restarts (one with --quick). A
 * single difference of two RSS readings moved by ±5 MB between runs on the loaded machine (malloc
 * arenas, how much of V8's young generation the idle broker had touched).
 */
async function measureRestarted(context: BenchContext, dataDir: string, schemaCount: number): Promise<void> {
  const { quick } = context.options
  const runs: { idleBytes: number; loadedBytes: number }[] = []
  for (let run = 0; run < (quick ? 1 : 3); run++) runs.push(await restartedRss(dataDir))
  const above = (run: { idleBytes: number; loadedBytes: number }): number =>
    (run.loadedBytes - run.idleBytes) / mb
  runs.sort((a, b) => above(a) - above(b))
  const median = runs[Math.floor(runs.length / 2)]
  const aboveMB = above(median)
  const { idleBytes, loadedBytes } = median
  context.record({
    id: 'registry.rss.schemasAboveIdleMB',
    label: `RSS with ${schemaCount} schemas (restarted, replayed) above the idle broker, median of ${runs.length}`,
    value: Math.max(0.1, aboveMB),
    unit: 'MB',
    details: {
      idleMB: idleBytes / mb,
      loadedMB: loadedBytes / mb,
      aboveIdleEachMB: runs.map((run) => above(run).toFixed(1)).join(' '),
    },
  })
  context.target({
    id: 'target.registry-rss-10k-schemas',
    description: 'RSS with 10,000 schemas under 30 MB above the idle broker',
    actual: aboveMB,
    comparator: '<=',
    bound: 30,
    unit: 'MB',
    basis: `median of ${runs.length} restarts (${runs.map((run) => above(run).toFixed(1)).join(', ')} MB): idle ${(idleBytes / mb).toFixed(1)} MB, with ${schemaCount} schemas ${(loadedBytes / mb).toFixed(1)} MB`,
    met: quick ? null : aboveMB <= 30,
  })
}

async function run(context: BenchContext): Promise<void> {
  const { quick } = context.options
  const schemaCount = quick ? 100 : 10_000
  const rate = quick ? 200 : targetRate
  const seconds = quick ? context.options.phaseSeconds : Math.min(5, context.options.phaseSeconds)
  const dataDir = await makeTempDir('streamline-bench-registry-')
  try {
    const broker = await launchBroker({ dataDir })
    const http = new RegistryHttp(registryUrlOf(broker))
    try {
      await settle(1000)
      const idleBytes = broker.rssBytes()
      await http.call('PUT', '/config', JSON.stringify({ compatibility: 'NONE' }))
      await settle(500)
      const emptyBytes = broker.rssBytes()
      context.log(`registry: registering ${schemaCount} schemas with ${clients} clients`)
      const perSec = await registerAll(http, schemaCount)
      await settle(1000)
      const registeredBytes = broker.rssBytes()
      context.record({
        id: 'registry.register.perSec',
        label: `registrations/s (${clients} clients, each durable)`,
        value: perSec,
        unit: 'registrations/s',
        details: { schemas: schemaCount },
      })
      context.record({
        id: 'registry.rss.emptyAboveIdleMB',
        label: 'RSS of the loaded, empty registry above the idle broker',
        value: Math.max(0.1, (emptyBytes - idleBytes) / mb),
        unit: 'MB',
      })
      context.record({
        id: 'registry.rss.afterRegistrationAboveIdleMB',
        label: `RSS right after registering ${schemaCount} schemas, above idle (includes warm-up)`,
        value: Math.max(0.1, (registeredBytes - idleBytes) / mb),
        unit: 'MB',
      })
      await measureLatency(context, broker, registryUrlOf(broker), { schemaCount, rate, seconds })
    } finally {
      http.close()
      await broker.stop()
    }
    await measureRestarted(context, dataDir, schemaCount)
  } finally {
    await removeTempDir(dataDir)
  }
}

export const registry: Workload = { name: 'registry', order: 67, run }
