// Goal: the read breaker's thresholds are broker configs: flags, environment and TOML reach the
// remote log manager's options (defaults 5 failures and 2 s without them); out-of-range values are
// refused before start, naming the field.
// Method: loadConfig with argv/env/file as the CLI passes them, then tieredStorageOptionsOf.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors.ts'
import { loadConfig } from './load.ts'
import { tieredStorageOptionsOf } from './tiered-storage-options.ts'

const base = [
  '--tiered-storage',
  '--tiered-storage-backend',
  'filesystem',
  '--tiered-storage-filesystem-path',
  '/tmp/x',
]

function breakerOf(argv: string[], env: Record<string, string> = {}, file = '') {
  return tieredStorageOptionsOf(loadConfig({ argv: [...base, ...argv], env, readFile: () => file }).config)
    .readBreaker
}

test('read breaker thresholds: defaults, flags, environment, TOML', () => {
  assert.deepEqual(breakerOf([]), { failuresToOpen: 5, openMs: 2000 })
  assert.deepEqual(
    breakerOf([
      '--tiered-storage-read-breaker-failures-to-open',
      '3',
      '--tiered-storage-read-breaker-open-ms',
      '400',
    ]),
    { failuresToOpen: 3, openMs: 400 },
  )
  assert.deepEqual(
    breakerOf([], {
      STREAMLINE_TIERED_STORAGE_READ_BREAKER_FAILURES_TO_OPEN: '7',
      STREAMLINE_TIERED_STORAGE_READ_BREAKER_OPEN_MS: '9000',
    }),
    { failuresToOpen: 7, openMs: 9000 },
  )
  assert.deepEqual(
    breakerOf(['--config', 'streamline.toml'], {}, '[tiered_storage]\nread_breaker_failures_to_open = 2\n'),
    { failuresToOpen: 2, openMs: 2000 },
  )
})

test('read breaker thresholds below 1 are refused, naming the field', () => {
  assert.throws(
    () => breakerOf(['--tiered-storage-read-breaker-failures-to-open', '0']),
    (error: unknown) =>
      error instanceof ConfigError &&
      /read_breaker_failures_to_open|readBreakerFailuresToOpen/.test(error.message),
  )
})
