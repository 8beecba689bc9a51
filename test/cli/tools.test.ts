// Goal: the tool commands — `benchmark` (profiles, JSON shape, cleans up its topic), `completions`
// (a bash script that bash accepts and that completes commands and options), `history`.
// Method: one broker process; the CLI as a child process; bash (always on Debian) sources the
// completion script and calls its function with COMP_WORDS set, as bash's completion does.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

describe('streamline-cli benchmark, completions, history', () => {
  let broker: BrokerProcess
  let cli: CliHarness
  before(async () => {
    broker = await startBrokerProcess()
    cli = await startCliHarness()
  })
  after(async () => {
    await Promise.all([broker?.stop(), cli?.close()])
  })

  it('benchmark: --list-profiles, a smoke run in JSON, its topic removed; an unknown profile is a usage error', async () => {
    const listed = await cli.run(['benchmark', '--list-profiles'])
    assert.match(
      listed.stdout,
      /^PROFILE +RECORDS +BYTES +PARTITIONS +DESCRIPTION\nsmoke +1000 +100 +1 +a quick check that the path works\n/,
    )
    const result = await cli.run(['-b', broker.bootstrap, 'benchmark', 'smoke', '--format', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const document = JSON.parse(result.stdout) as {
      profile: string
      results: { phase: string; records: number; recordsPerSecond: number; p99Ms: number }[]
    }
    assert.equal(document.profile, 'smoke')
    assert.deepEqual(
      document.results.map((entry) => [entry.phase, entry.records]),
      [
        ['produce', 1000],
        ['consume', 1000],
      ],
    )
    for (const entry of document.results) assert.ok(entry.recordsPerSecond > 0 && entry.p99Ms >= 0)
    assert.equal((await cli.run(['-b', broker.bootstrap, 'topics', 'list'])).stdout, 'TOPIC  PARTITIONS\n')
    const unknown = await cli.run(['benchmark', 'huge'])
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [2, "error: benchmark: profile 'huge' is not one of smoke, small, throughput, large\n"],
    )
  })

  it('completions bash: a script bash accepts, completing subcommands and options', async () => {
    const script = await cli.run(['completions', 'bash'])
    assert.equal(script.code, 0)
    const file = join(cli.home, 'completion.bash')
    await writeFile(file, script.stdout)
    const complete = (words: string[]): string =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${file}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _streamline_cli; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).trim()
    assert.equal(complete(['streamline-cli', 'top']), 'topics top') // the order commands are declared in
    assert.equal(complete(['streamline-cli', 'groups', 're']), 'reset')
    assert.equal(complete(['streamline-cli', 'consume', 'orders', '--fo']), '--follow --format')
    const fish = await cli.run(['completions', 'fish'])
    assert.match(
      fish.stdout,
      /^complete -c streamline-cli -n '__fish_seen_subcommand_from consume' -l 'jq'$/m,
    )
    const bad = await cli.run(['completions', 'tcsh'])
    assert.deepEqual(
      [bad.code, bad.stderr],
      [2, "error: completions: 'tcsh' is not one of bash, zsh, fish\n"],
    )
  })

  it('history lists earlier commands with their exit codes; --clear forgets', async () => {
    await cli.run(['history', '--clear'])
    await cli.run(['-b', broker.bootstrap, 'topics', 'list'])
    await cli.run(['topics', 'describe'])
    const history = await cli.run(['history'])
    const lines = history.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 2)
    assert.match(lines[0], new RegExp(`^ {4}1 {2}\\S+Z {2}-b ${broker.bootstrap} topics list$`))
    assert.match(lines[1], /^ {4}2 {2}\S+Z {2}topics describe {2}\(exit 2\)$/)
    assert.equal(
      (await cli.run(['history', '-n', '1', '--format', 'json'])).stdout.includes('"exitCode": 2'),
      true,
    )
  })
})
