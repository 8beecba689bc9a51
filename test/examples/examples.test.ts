// Goal: the examples in examples/ work as a user runs them. Each folder's own `npm test` passes
// against the package as built: node:test, Vitest and Jest (one in-memory broker per test file, a test
// each for kafkajs, @platformatic/kafka and @confluentinc/kafka-javascript), the Fastify service and the
// Express service (the in-process client).
// Method: each example's suite runs as a child process in its folder (`npm test`, as a user would),
// and its runner's own closing summary must count exactly the tests the example has, none failed.
// Prerequisites, prepared outside the test because they take minutes: the built package (`npm run
// build`: the examples import `streamline` through its package.json exports, i.e. dist/) and the
// examples' install (`npm ci --prefix examples`, which compiles librdkafka for
// @confluentinc/kafka-javascript from the npm tarball; see examples/README.md). Missing or stale: the
// tests skip with the command to run, and with CI=true a failing test says which is missing.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repositoryRoot } from '../helpers/broker-process.ts'

const examplesDir = join(repositoryRoot, 'examples')
const packageEntry = join(repositoryRoot, 'dist', 'src', 'embedded', 'index.js')

interface Example {
  folder: string
  /** Reads the runner's closing summary: tests passed and failed, or null when it printed none. */
  summary(output: string): { passed: number; failed: number } | null
  tests: number
}

const nodeTestSummary = (output: string) => {
  const passed = /^(?:#|ℹ) pass (\d+)$/m.exec(output)
  const failed = /^(?:#|ℹ) fail (\d+)$/m.exec(output)
  return passed && failed ? { passed: Number(passed[1]), failed: Number(failed[1]) } : null
}

const examples: Example[] = [
  { folder: 'node-test', tests: 3, summary: nodeTestSummary },
  {
    folder: 'vitest',
    tests: 3,
    summary(output) {
      const line = /^\s*Tests\s+(.*)$/m.exec(output)
      if (line === null) return null
      return {
        passed: Number(/(\d+) passed/.exec(line[1])?.[1] ?? 0),
        failed: Number(/(\d+) failed/.exec(line[1])?.[1] ?? 0),
      }
    },
  },
  {
    folder: 'jest',
    tests: 3,
    summary(output) {
      const line = /^Tests:\s+(.*)$/m.exec(output)
      if (line === null) return null
      return {
        passed: Number(/(\d+) passed/.exec(line[1])?.[1] ?? 0),
        failed: Number(/(\d+) failed/.exec(line[1])?.[1] ?? 0),
      }
    },
  },
  { folder: 'fastify-service', tests: 3, summary: nodeTestSummary },
  { folder: 'express-service', tests: 3, summary: nodeTestSummary },
]

const buildCommand = 'npm run build (or only its tsc step: npx tsc -p tsconfig.build.json)'
const installCommand =
  'CKJS_LINKING=dynamic npm_config_build_from_source=true npm ci --prefix examples (compiles librdkafka, a few minutes)'

/** Newest modification time of the package's sources (what dist/ is built from). */
function newestSourceMtimeMs(): number {
  let newest = 0
  for (const entry of readdirSync(join(repositoryRoot, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** Where the examples' install put a package for the example in `dir` (its own node_modules or the
 * workspace's), or null. The repository's own node_modules do not count: a user's copy has none. By
 * folder, not require.resolve: a package's `exports` may not expose its package.json. */
function installedPackageDir(dir: string, name: string): string | null {
  for (const candidate of [join(dir, 'node_modules', name), join(examplesDir, 'node_modules', name)]) {
    if (existsSync(join(candidate, 'package.json'))) return candidate
  }
  return null
}

/** Null when the examples can run, otherwise what is missing and how to get it. */
function prerequisiteProblem(): string | null {
  if (!existsSync(packageEntry))
    return `the package is not built (no ${packageEntry}); run \`${buildCommand}\``
  if (statSync(packageEntry).mtimeMs < newestSourceMtimeMs()) {
    return `the built package in dist/ is older than src/; run \`${buildCommand}\``
  }
  for (const { folder } of examples) {
    const manifest = join(examplesDir, folder, 'package.json')
    const { dependencies = {}, devDependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>
      devDependencies?: Record<string, string>
    }
    for (const name of [...Object.keys(dependencies), ...Object.keys(devDependencies)]) {
      const installed = installedPackageDir(join(examplesDir, folder), name)
      if (installed === null) return `examples/${folder} has no ${name} installed; run \`${installCommand}\``
      if (name === '@confluentinc/kafka-javascript') {
        const binding = join(installed, 'build', 'Release', 'confluent-kafka-javascript.node')
        if (!existsSync(binding))
          return `${name} has no compiled binding (${binding}); run \`${installCommand}\``
      }
    }
  }
  return null
}

function skipUnlessReady(): string | false {
  const problem = prerequisiteProblem()
  if (problem === null) return false
  if (process.env.CI === 'true') {
    test('the examples are built and installed', () => {
      throw new Error(`CI=true requires the examples to run: ${problem}. .ci/run prepares both.`)
    })
    return 'the examples are not ready (the failing test "the examples are built and installed" says why)'
  }
  return `the examples are not ready: ${problem}`
}

const exampleTimeoutMs = 90_000

/** Runs `npm test` in an example's folder; resolves with its exit code and all it printed. */
function runExample(folder: string): Promise<{ code: number | null; output: string; elapsedMs: number }> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    // The parent's test-runner context and loader must not leak into the example's own runner.
    if (value !== undefined && key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS') env[key] = value
  }
  Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0' })
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['test', '--silent'], {
      cwd: join(examplesDir, folder),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: exampleTimeoutMs,
      killSignal: 'SIGKILL',
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output, elapsedMs: Date.now() - started }))
  })
}

const skip = skipUnlessReady()

for (const example of examples) {
  test(`examples/${example.folder}: npm test passes all ${example.tests} tests`, { skip }, async (t) => {
    const { code, output, elapsedMs } = await runExample(example.folder)
    t.diagnostic(`examples/${example.folder} took ${elapsedMs} ms`)
    const summary = example.summary(output)
    assert.deepEqual(
      { code, summary },
      { code: 0, summary: { passed: example.tests, failed: 0 } },
      `examples/${example.folder} printed:\n${output.slice(-4000)}`,
    )
  })
}
