// Goal: the CLI's quick configuration path (quick-load.ts, used by the bundled CLI to start without
// loading zod) never disagrees with the schema: whenever it answers, its configuration equals what
// loadConfig (the schema) resolves for the same argv and environment, and it defers (null) on every
// input the schema would refuse, so error messages always come from the schema.
// Method: the option table as scripts/bundle.ts computes it; hand-picked cases, then every option with
// boundary, out-of-range and ill-typed values, then random flag/env combinations (fast-check).

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { loadConfig } from './load.ts'
import { optionTableOf } from './option-table.ts'
import type { OptionLeaf } from './options.ts'
import { quickLoadConfig } from './quick-load.ts'

const table = optionTableOf()

type Outcome = { config: unknown } | { error: string }

function full(argv: string[], env: NodeJS.ProcessEnv): Outcome {
  try {
    return { config: loadConfig({ argv, env, readFile: () => '' }).config }
  } catch (error) {
    return { error: String(error) }
  }
}

/** Asserts the quick path agrees with the schema; returns whether it answered. */
function agrees(argv: string[], env: NodeJS.ProcessEnv = {}): boolean {
  const quick = quickLoadConfig({ argv, env }, table)
  const expected = full(argv, env)
  if (quick === null) return false
  assert.ok(
    'config' in expected,
    `quick path accepted what the schema refuses: ${argv.join(' ')}: ${JSON.stringify(expected)}`,
  )
  assert.deepStrictEqual(quick.config, expected.config, argv.join(' '))
  return true
}

/** Values worth trying for one option: its edges, just past them, and the wrong types. */
function samplesOf(leaf: OptionLeaf): string[] {
  switch (leaf.kind) {
    case 'integer': {
      const min = leaf.min ?? -1e6
      const max = leaf.max ?? 1e6
      return [min, max, min - 1, max + 1, 0, 1, -1]
        .map(String)
        .concat(['1.5', 'x', '', ' 7', '9007199254740993'])
    }
    case 'boolean':
      return ['true', 'false', 'yes', '1']
    case 'enum':
      return [...leaf.values, 'nope', leaf.values[0].toUpperCase()]
    case 'string':
      return [
        '127.0.0.1:0',
        '[::1]:9092',
        'host:65535',
        'host:65536',
        'host',
        ':1',
        'a b:1',
        '',
        './data',
        'x',
      ]
  }
}

describe('quick configuration path', () => {
  test('answers the common starts, with the same configuration as the schema', () => {
    const common: string[][] = [
      [],
      [
        '--listen-addr',
        '127.0.0.1:0',
        '--http-addr',
        '127.0.0.1:0',
        '--data-dir',
        '/tmp/x',
        '--log-format',
        'json',
      ],
      ['--in-memory', '--playground', '--log-level=debug'],
      ['--no-http', '--num-partitions', '3', '--node-id=2', '--advertised-addr', 'broker.example:9092'],
      [
        '--topics-retention-ms',
        '-1',
        '--topics-cleanup-policy',
        'compact,delete',
        '--flush-interval-ms',
        '0',
      ],
    ]
    for (const argv of common) assert.ok(agrees(argv), `quick path deferred: ${argv.join(' ')}`)
    assert.ok(agrees([], { STREAMLINE_LOG_LEVEL: 'warn', STREAMLINE_TOPICS_NUM_PARTITIONS: '4' }))
    assert.ok(agrees(['--num-partitions', '5'], { STREAMLINE_TOPICS_NUM_PARTITIONS: '4' }))
  })

  test('defers on a config file, command flags, [security] options and refused values', () => {
    const deferred: Array<[string[], NodeJS.ProcessEnv]> = [
      [['-c', 'streamline.toml'], {}],
      [[], { STREAMLINE_CONFIG: 'streamline.toml' }],
      [['--help'], {}],
      [['--version'], {}],
      [['--generate-config'], {}],
      [['--security-authorizer'], {}],
      [['--num-partitions', '0'], {}],
      [['--listen-addr', 'nope'], {}],
      [['--bogus'], {}],
      [['--data-dir'], {}],
      [[], { STREAMLINE_NOPE: '1' }],
    ]
    for (const [argv, env] of deferred) {
      assert.equal(quickLoadConfig({ argv, env }, table), null, argv.join(' '))
    }
  })

  test('every option, at and past its bounds and with the wrong type, agrees with the schema', () => {
    for (const leaf of table.leaves) {
      for (const value of samplesOf(leaf)) {
        agrees([`--${leaf.flag}=${value}`])
        agrees([], { [leaf.envName]: value })
      }
    }
  })

  test('random combinations of flags and variables agree with the schema', () => {
    const assignment = fc
      .constantFrom(...table.leaves)
      .chain((leaf) => fc.constantFrom(...samplesOf(leaf)).map((value) => ({ leaf, value })))
    fc.assert(
      fc.property(
        fc.array(assignment, { maxLength: 6 }),
        fc.array(assignment, { maxLength: 3 }),
        (flags, vars) => {
          const argv = flags.map(({ leaf, value }) => `--${leaf.flag}=${value}`)
          const env = Object.fromEntries(vars.map(({ leaf, value }) => [leaf.envName, value]))
          agrees(argv, env)
        },
      ),
      { numRuns: 300 },
    )
  })
})
