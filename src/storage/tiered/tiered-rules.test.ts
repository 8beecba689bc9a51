// Goal: the small rules of tiered storage, exactly: Kafka's INVALID_CONFIG messages for remote
// storage on a compacted topic and for local.retention.* above retention.*; -2 meaning "same as
// retention.*"; backoff delays within [0, min(max, initial·2^attempt)); retries stop at the attempt
// bound and never retry a missing object; a damaged metadata file is refused with a StorageError
// naming it; the read cache stays within its byte bound; the read breaker's states (closed, open,
// half-open with one probe) and its fail-fast error.
// Method: pure functions and classes, no store.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KafkaError, StorageError } from '../../errors.ts'
import { createMemoryLogManager } from '../memory/memory-log-manager.ts'
import { defaultTopicConfig, resolveTopicConfig } from '../topic-config.ts'
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.ts'
import { RemoteObjectMissingError, RemoteStorageError } from './object-store.ts'
import { parseMetadata } from './remote-log-metadata.ts'
import { RemoteReadCache } from './remote-read-cache.ts'
import { effectiveLocalRetentionBytes, effectiveLocalRetentionMs } from './remote-topic-config.ts'
import { backoffDelayMs, withRetries } from './retry.ts'

function refusal(overrides: Record<string, string>): string {
  try {
    resolveTopicConfig(defaultTopicConfig(), overrides)
  } catch (error) {
    assert.ok(error instanceof KafkaError)
    assert.equal(error.errorCode, 40)
    return error.message
  }
  return 'accepted'
}

test("remote storage topic configs: Kafka's refusals and defaults", () => {
  assert.equal(
    refusal({ 'remote.storage.enable': 'true', 'cleanup.policy': 'compact' }),
    'Remote log storage is unsupported for the compacted topics',
  )
  assert.equal(
    refusal({ 'remote.storage.enable': 'true', 'retention.ms': '1000', 'local.retention.ms': '2000' }),
    'Invalid value 2000 for configuration local.retention.ms: Value must not be more than retention.ms property value: 1000',
  )
  assert.equal(
    refusal({ 'remote.storage.enable': 'true', 'retention.bytes': '1000', 'local.retention.bytes': '-1' }),
    'Invalid value -1 for configuration local.retention.bytes: Value must not be -1 as retention.bytes value is set as 1000.',
  )
  assert.equal(
    refusal({ 'remote.storage.enable': 'true', 'local.retention.ms': '-3' }).includes('outside'),
    true,
  )
  const config = resolveTopicConfig(defaultTopicConfig(), {
    'remote.storage.enable': 'true',
    'retention.ms': '5000',
  })
  assert.equal(effectiveLocalRetentionMs(config), 5000)
  assert.equal(effectiveLocalRetentionBytes(config), -1)
  assert.equal(effectiveLocalRetentionMs({ ...config, localRetentionMs: 10 }), 10)
})

test('remote.storage.enable is refused by an engine without remote storage (in-memory)', async () => {
  const manager = createMemoryLogManager({})
  await assert.rejects(
    manager.createTopic('t', { partitionCount: 1, configOverrides: { 'remote.storage.enable': 'true' } }),
    (error: unknown) =>
      error instanceof KafkaError &&
      error.errorCode === 40 &&
      error.message ===
        'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
  )
  await manager.close()
})

test('backoff with full jitter stays within its ceiling; retries are bounded', async () => {
  const policy = { attemptsMax: 3, backoffInitialMs: 100, backoffMaxMs: 1000 }
  assert.equal(
    backoffDelayMs(policy, 1, () => 0.999),
    199,
  )
  assert.equal(
    backoffDelayMs(policy, 10, () => 0.5),
    500,
  )
  assert.equal(
    backoffDelayMs(policy, 3, () => 0),
    0,
  )
  const quick = { attemptsMax: 3, backoffInitialMs: 1, backoffMaxMs: 2 }
  let calls = 0
  await assert.rejects(
    withRetries(quick, async () => {
      calls += 1
      throw new RemoteStorageError('down', { throttled: true })
    }),
    RemoteStorageError,
  )
  assert.equal(calls, 3)
  calls = 0
  await assert.rejects(
    withRetries(quick, async () => {
      calls += 1
      throw new RemoteObjectMissingError('gone')
    }),
    RemoteObjectMissingError,
  )
  assert.equal(calls, 1)
})

test('a damaged remote log metadata file is refused, naming the file', () => {
  for (const text of [
    '',
    '{',
    '[]',
    '{"version":2,"segments":[]}',
    '{"version":1,"segments":[{"id":"x"}]}',
  ]) {
    assert.throws(
      () => parseMetadata('/data/t-0/remote-log-segment-metadata.json', text),
      (error: unknown) =>
        error instanceof StorageError && error.message.includes('/data/t-0/remote-log-segment-metadata.json'),
    )
  }
  assert.deepEqual(parseMetadata('f', '{"version":1,"segments":[]}'), [])
})

test('the remote read cache stays within its bound and counts hits', async () => {
  const cache = new RemoteReadCache(10)
  for (let index = 0; index < 5; index += 1) await cache.get(`s:${index}`, async () => Buffer.alloc(4))
  assert.ok(cache.sizeBytes <= 10)
  await cache.get('s:4', async () => Buffer.alloc(4))
  assert.equal(cache.counters.hits, 1)
  assert.equal(cache.counters.misses, 5)
  await assert.rejects(cache.get('s:9', async () => Promise.reject(new Error('boom'))))
  await cache.get('s:9', async () => Buffer.alloc(1))
  assert.equal(cache.counters.misses, 7)
  cache.forget('s')
  assert.equal(cache.sizeBytes, 0)
})

test('read breaker: opens after consecutive failures, fails fast, one half-open probe, closes on success', async () => {
  let now = 1_000
  const breaker = new CircuitBreaker({ failuresToOpen: 3, openMs: 500 }, () => now)
  let calls = 0
  const failing = async (): Promise<string> => {
    calls += 1
    throw new RemoteStorageError('connection refused')
  }
  const working = async (): Promise<string> => {
    calls += 1
    return 'bytes'
  }
  // A missing object is an answer from a working store: it does not count.
  await assert.rejects(
    breaker.run(async () => {
      throw new RemoteObjectMissingError('gone')
    }),
    RemoteObjectMissingError,
  )
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await assert.rejects(breaker.run(failing), (error) => !(error instanceof CircuitOpenError))
  }
  assert.equal(breaker.state, 'open')
  assert.equal(calls, 3)
  await assert.rejects(breaker.run(working), (error: Error) => {
    assert.ok(error instanceof CircuitOpenError)
    assert.ok(error instanceof RemoteStorageError && error.errorCode === 56)
    assert.equal(
      error.message,
      'remote store unavailable: 3 reads failed in a row; reads fail fast for 500 ms more',
    )
    return true
  })
  assert.equal(calls, 3)
  now += 500
  assert.equal(breaker.state, 'half-open')
  // The probe fails: open again for another openMs.
  await assert.rejects(breaker.run(failing), (error) => !(error instanceof CircuitOpenError))
  assert.equal(breaker.state, 'open')
  now += 500
  // One probe at a time: a read meanwhile fails fast.
  let release: (value: string) => void = () => {}
  const probe = breaker.run(
    () =>
      new Promise<string>((resolve) => {
        release = resolve
      }),
  )
  await assert.rejects(breaker.run(working), CircuitOpenError)
  release('probe')
  assert.equal(await probe, 'probe')
  assert.equal(breaker.state, 'closed')
  assert.equal(await breaker.run(working), 'bytes')
  assert.deepEqual([breaker.opens, breaker.rejected], [2, 2])
})
