// Goal: the `streamline` command itself: --generate-config prints a TOML file that, given back with
// -c, starts a broker with exactly the defaults; a config error exits 2 with the key, value and
// allowed values on stderr; --help lists the flags; a --playground broker serves its demo topics.
// Method: the real CLI as a child process (cli-process.ts); the generated file is written to a
// temporary directory and parsed by the loader; the running broker is checked over HTTP.

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { defaultConfig } from '../../src/config/schema.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { runCli, startCli } from './cli-process.ts'
import { call, fields } from './http-client.ts'

test('--generate-config round trip: the printed file parses back to the defaults', async () => {
  const run = runCli(['--generate-config'])
  assert.equal(await run.exited, 0)
  const dir = await makeTempDir()
  try {
    const file = join(dir, 'streamline.toml')
    await writeFile(file, run.output())
    assert.deepEqual(loadConfig({ argv: ['-c', file], env: {} }).config, defaultConfig)
  } finally {
    await removeTempDir(dir)
  }
})

test('a config error exits 2 and names key, value, source and what is allowed', async () => {
  const run = runCli(['--num-partitions', 'many'])
  assert.equal(await run.exited, 2)
  assert.equal(
    run.output(),
    'streamline: topics.num_partitions: "many" (flag --num-partitions) is not allowed: expected an integer from 1 to 2147483647\n',
  )
})

test('--help lists the flags and exits 0', async () => {
  const run = runCli(['--help'])
  assert.equal(await run.exited, 0)
  for (const flag of [
    '--listen-addr',
    '--advertised-addr',
    '--http-addr',
    '--no-http',
    '--data-dir',
    '--log-level',
    '--in-memory',
    '--playground',
    '--node-id',
    '--num-partitions',
    '--flush-interval-ms',
    '-c, --config',
    '--generate-config',
  ]) {
    assert.ok(run.output().includes(`  ${flag}`), flag)
  }
})

test('--playground --in-memory serves demo topics with live data, stops with exit 0', {
  timeout: 60_000,
}, async () => {
  const broker = await startCli(['--in-memory', '--playground'])
  try {
    const topics = fields(await call(broker.http, 'GET', '/api/v1/topics')).topics as Array<{
      name: string
      internal: boolean
    }>
    assert.deepEqual(
      topics.filter((topic) => !topic.internal).map((topic) => topic.name),
      ['playground-clicks', 'playground-orders'],
    )
    const cluster = fields(await call(broker.http, 'GET', '/api/v1/cluster'))
    assert.equal(cluster.mode, 'memory')
    assert.equal(cluster.playground, true)
  } finally {
    broker.child.kill('SIGINT')
    assert.equal(await broker.exited, 0)
  }
})
