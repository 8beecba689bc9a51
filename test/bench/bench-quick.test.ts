// Goal: the benchmark suite (bench/suite, issue #9) cannot rot. Method: run it as CI would,
// `bench/suite/run.ts --quick` in a child process with a bounded time, writing its JSON to a temporary
// file (so the repository is not modified), then check the run succeeded and the JSON carries the
// machine description, every expected measurement with a positive value, and every produce target with
// a verdict. Speeds are never asserted: the machine may be slow or busy; only that numbers came out.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { makeTempDir, removeTempDir, repositoryRoot } from '../helpers/broker-process.ts'

/** Only stops a hung run: the quick suite takes ~140 s beside the rest of the test suite on a 2-core
 * machine, and well over 240 s when other work shares the machine (it was stopped there twice). */
const runTimeoutMs = 480_000

interface ResultsFile {
  options: { quick: boolean }
  machine: Record<string, unknown>
  workloads: Array<{ name: string; status: string; error?: string }>
  measurements: Array<{ id: string; value: number | null; unit: string }>
  targets: Array<{ id: string; actual: number | null; met: boolean | null; basis: string }>
}

const expectedMeasurements = [
  'baseline.socket-to-socket.mbPerSec',
  'baseline.socket-to-file.mbPerSec',
  'baseline.socket-to-file-fdatasync.mbPerSec',
  'baseline.fdatasync-4mib.meanMs',
  'baseline.file-to-socket.mbPerSec',
  'produce.1k.batch1m.acks1.p1.c1.mbPerSec',
  'fetch.catchup.mbPerSec',
  'fetch.catchup.p100.mbPerSec',
  'produce.1k.batch1m.acks1.p1.c1.recordsPerSec',
  'produce.1k.batch1m.acks1.p1.c1.p50Ms',
  'produce.1k.batch1m.acks1.p1.c1.p99Ms',
  'produce.1k.batch1m.acks1.p1.c1.peakRssMB',
  'produce.1k.batch1m.acks1.p1.c1.cpuSecondsPerGiB',
  'produce.1k.batch16k.acksall.p1.c16.mbPerSec',
  'produce.1k.batch16k.acks1.p1.c16.mbPerSec',
  'produce.1k.batch16k.acks1.p1000.c32.mbPerSec',
  'produce.1k.batch16k.acks1.p1.c32.mbPerSec',
  'tiered.copy.mbPerSec',
  'tiered.rawPut.mbPerSec',
  'tiered.catchUpRead.mbPerSec',
  'tiered.rawGet.mbPerSec',
  'tiered.diskBound.peakLocalMB',
  'tiered.diskBound.acceptedMbPerSec',
  'tiered.diskBound.uploadMbPerSec',
  'sql.groupBy.topic.recordsPerSec',
  'sql.groupBy.readJson.recordsPerSec',
  'sql.lastMinute.bytesReadShare',
  'sql.continuous.keptUpRecordsPerSec',
  'sql.continuous.processedRecordsPerSec',
  'sql.continuous.maxResultDelayMs',
  'cli.produce-file.streamline-cli.recordsPerSec',
  'cli.consume.streamline-cli.recordsPerSec',
  'cli.version.startMs',
  'registry.register.perSec',
  'registry.getById.p99Ms',
  'registry.lookup.p99Ms',
  'registry.rss.schemasAboveIdleMB',
  'cluster.brokers1.produce.mbPerSec',
  'cluster.brokers3.produce.mbPerSec',
  'cluster.putsPerGb.defaults.max',
  'cluster.failover.allMs',
  'embedded.produce.inProcess.recordsPerSec',
  'embedded.produce.socket.recordsPerSec',
  'embedded.consume.inProcess.recordsPerSec',
  'embedded.consume.socket.recordsPerSec',
  'embedded.idleInstance.rssMB',
  'connect.s3Sink.recordsPerSec',
  'connect.s3Sink.mbPerSec',
  'connect.s3Sink.firstObjectMs',
  'connect.s3RawPut.mbPerSec',
  'connect.s3Sink.vsRawPut',
  'connect.fileFlow.recordsPerSec',
  'connect.fileFlow.kcat.recordsPerSec',
  'connect.cdcLag.p99Ms',
  'connect.cdcLag.p50Ms',
  'console.firstPage.jsGzipKiB',
  'console.browse.newest.ms',
  'console.browse.oldest.ms',
  'console.overview.ttiMs',
  'console.messages.ttiMs',
  'alternatives.streamline.kcat.100b.cpuSecondsPer2M',
  'alternatives.redis.produceLean.100b.cpuSecondsPer2M',
  'latency.max.acks1.recordsPerSec',
  'latency.produce.acks1.load50.p99',
  'latency.e2e.acks1.load50.p99',
  'latency.produce.acksAll.load10.p99',
  'latencyRuntime.acks1.load50.brokerLoopP99',
  'latencyRuntime.acks1.load50.genLoopP99',
  'latencyRuntime.acksAll.load10.brokerLoopP99',
]

const expectedTargets = [
  'target.produce-vs-socket-to-file',
  'target.produce-acks-all-vs-acks-1',
  'target.produce-1000-partitions',
  'target.fetch-catchup-vs-file-to-socket',
  'target.fetch-catchup-p100-vs-file-to-socket',
  'target.cli-version-start',
  'target.connect-file-flow-vs-kcat',
  'target.connect-cdc-lag-p99',
  'target.cpu-per-record-vs-redis',
  'target.latency-produce-p99',
  'target.latency-e2e-p99',
  'target.latency-acks-all-p99',
]

function runQuickSuite(outFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env }
    delete env.NODE_TEST_CONTEXT // the suite is not a test file; its brokers must not think so either
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/suite/run.ts', '--quick', '--out', outFile],
      {
        cwd: repositoryRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-200_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

test('npm run bench -- --quick runs every workload and writes the expected results', {
  timeout: runTimeoutMs + 30_000,
}, async () => {
  const dir = await makeTempDir('streamline-bench-test-')
  try {
    const outFile = join(dir, 'results.json')
    const { code, output } = await runQuickSuite(outFile)
    assert.equal(code, 0, `the quick suite failed:\n${output}`)
    const results = JSON.parse(await readFile(outFile, 'utf8')) as ResultsFile
    assert.equal(results.options.quick, true)
    for (const field of [
      'cpuModel',
      'cores',
      'memoryBytes',
      'kernel',
      'node',
      'loadAverageBefore',
      'gitCommit',
    ]) {
      assert.ok(results.machine[field] !== undefined, `machine.${field} is missing`)
    }
    assert.deepEqual(
      results.workloads.filter((workload) => workload.status !== 'ok'),
      [],
      'every workload succeeded',
    )
    const byId = new Map(results.measurements.map((measurement) => [measurement.id, measurement]))
    for (const id of expectedMeasurements) {
      const measurement = byId.get(id)
      assert.ok(measurement !== undefined, `measurement ${id} is missing`)
      assert.ok(
        typeof measurement.value === 'number' && measurement.value > 0,
        `${id} = ${measurement.value}`,
      )
    }
    for (const id of expectedTargets) {
      const target = results.targets.find((candidate) => candidate.id === id)
      assert.ok(target !== undefined, `target ${id} is missing`)
      assert.ok(typeof target.actual === 'number' && target.actual > 0, `${id}: actual ${target.actual}`)
      assert.equal(typeof target.met, 'boolean', `${id} has a verdict (${target.basis})`)
    }
  } finally {
    await removeTempDir(dir)
  }
})
