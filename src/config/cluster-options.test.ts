// Goal: the [cluster] section: flags, environment and TOML give the cluster node its options; without
// them the broker starts exactly as before (no cluster options at all); half a setup, a URL of the
// wrong kind or a lease shorter than the heartbeat is refused before start, naming the field.
// Method: loadConfig with argv/env/file as the CLI passes them; assertions on the options and messages.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors.ts'
import { createLogger } from '../log.ts'
import { startOptionsOf } from './broker-options.ts'
import { clusterOptionsOf } from './cluster-options.ts'
import { loadConfig } from './load.ts'

function load(argv: string[], env: Record<string, string> = {}, file = '') {
  return loadConfig({ argv, env, readFile: () => file }).config
}

function loadError(argv: string[], env: Record<string, string> = {}, file = ''): string {
  try {
    load(argv, env, file)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected a ConfigError')
}

test('no cluster settings: no cluster options reach the broker', () => {
  const config = load([])
  assert.equal(clusterOptionsOf(config), null)
  assert.equal('cluster' in startOptionsOf(config, createLogger('silent')), false)
})

test('flags give the cluster node its options', () => {
  const config = load([
    '--cluster-metadata',
    'postgres://streamline@db:5432/streamline',
    '--object-store',
    's3://bucket/cluster-a',
    '--cluster-s3-endpoint',
    'http://127.0.0.1:9000',
    '--cluster-s3-force-path-style',
    '--cluster-lease-timeout-ms',
    '2000',
  ])
  const options = clusterOptionsOf(config)
  assert.deepEqual(options?.objectStore, {
    bucket: 'bucket',
    prefix: 'cluster-a/',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    requestTimeoutMs: 30_000,
  })
  assert.equal(options?.metadataUrl, 'postgres://streamline@db:5432/streamline')
  assert.equal(options?.leaseTimeoutMs, 2000)
  assert.equal(options?.heartbeatIntervalMs, 1000)
})

test('environment and TOML work too', () => {
  const fromEnv = load([], {
    STREAMLINE_CLUSTER_METADATA: 'postgresql://db/streamline',
    STREAMLINE_CLUSTER_OBJECT_STORE: 's3://b',
  })
  assert.equal(clusterOptionsOf(fromEnv)?.objectStore.prefix, '')
  const fromFile = load(
    ['--config', 'streamline.toml'],
    {},
    '[cluster]\nmetadata = "postgres://db/x"\nobject_store = "s3://b/p/"\nflush_interval_ms = 20\n',
  )
  assert.equal(clusterOptionsOf(fromFile)?.flushIntervalMs, 20)
  assert.equal(clusterOptionsOf(fromFile)?.objectStore.prefix, 'p/')
})

test('incomplete or malformed cluster settings are refused with the field named', () => {
  assert.match(loadError(['--cluster-metadata', 'postgres://db/x']), /cluster\.object_store|objectStore/)
  assert.match(loadError(['--object-store', 's3://b']), /cluster\.metadata|metadata/)
  assert.match(
    loadError(['--cluster-metadata', 'mysql://db/x', '--object-store', 's3://b']),
    /cluster\.metadata: "mysql:\/\/db\/x"/,
  )
  assert.match(
    loadError(['--cluster-metadata', 'postgres://db/x', '--object-store', 'http://b']),
    /cluster\.object_store: "http:\/\/b"/,
  )
  assert.match(
    loadError([
      '--cluster-metadata',
      'postgres://db/x',
      '--object-store',
      's3://b',
      '--cluster-lease-timeout-ms',
      '500',
      '--cluster-heartbeat-interval-ms',
      '500',
    ]),
    /longer than heartbeat_interval_ms/,
  )
})
