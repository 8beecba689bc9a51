// Goal: the quota model behaves as Kafka's does: entity validation and messages, value checks,
// describe filters (exact, default, specified; strict), the 8-level precedence, the sliding-window
// rate and its throttle time (KIP-219 formula), the mutation token bucket, and persistence.
// Method: pure unit tests with explicit clock values; the store is written to a temporary directory
// and read back by a second store.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { test } from 'node:test'
import { ApiKey, ErrorCode } from '../protocol/generated/index.ts'
import { ClientQuotas } from './client-quotas.ts'
import { checkFilter, filterMatches, type QuotaFilter } from './describe-filter.ts'
import { entityOfParts, type QuotaEntity } from './quota-entity.ts'
import { quotaValueProblem } from './quota-keys.ts'
import { resolveQuota } from './quota-resolution.ts'
import { ClientQuotaStore } from './quota-store.ts'
import { RequestQuota } from './request-quota.ts'
import { SampledRate } from './sampled-rate.ts'
import { TokenBucket } from './token-bucket.ts'

test('entities are validated with Kafka messages', () => {
  assert.deepEqual(entityOfParts([{ entityType: 'user', entityName: 'alice' }]), { user: 'alice' })
  assert.deepEqual(
    entityOfParts([
      { entityType: 'client-id', entityName: null },
      { entityType: 'user', entityName: null },
    ]),
    { user: null, clientId: null },
  )
  const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage })
  assert.deepEqual(entityOfParts([]), invalid('Invalid empty client quota entity'))
  assert.deepEqual(
    entityOfParts([
      { entityType: 'user', entityName: 'a' },
      { entityType: 'user', entityName: 'b' },
    ]),
    invalid('Invalid empty client quota entity, duplicate entity entry user'),
  )
  assert.deepEqual(
    entityOfParts([{ entityType: 'group', entityName: 'g' }]),
    invalid('Unhandled client quota entity type: group'),
  )
  assert.deepEqual(
    entityOfParts([{ entityType: 'user', entityName: '' }]),
    invalid('Empty user not supported'),
  )
})

test('quota values are checked like Kafka (LONG keys integral, unknown keys refused)', () => {
  assert.equal(quotaValueProblem('producer_byte_rate', 1048576), null)
  assert.equal(quotaValueProblem('request_percentage', 12.5), null)
  assert.equal(
    quotaValueProblem('producer_byte_rate', 1.5),
    'Configuration producer_byte_rate must be a Long value',
  )
  assert.equal(quotaValueProblem('bogus', 1), 'Invalid configuration key bogus')
  assert.equal(
    quotaValueProblem('consumer_byte_rate', -1),
    'Configuration consumer_byte_rate must be a non-negative number',
  )
  assert.equal(
    quotaValueProblem('request_percentage', Number.NaN),
    'Configuration request_percentage must be a non-negative number',
  )
})

test('describe filters: exact, default, specified, strict', () => {
  const entities: QuotaEntity[] = [
    { user: 'alice' },
    { user: null },
    { user: 'alice', clientId: 'app' },
    { clientId: 'app' },
    { clientId: null },
  ]
  const run = (components: Parameters<typeof checkFilter>[0], strict: boolean) => {
    const filter = checkFilter(components, strict) as QuotaFilter
    assert.ok(!('errorCode' in filter))
    return entities.filter((entity) => filterMatches(filter, entity))
  }
  assert.deepEqual(run([], false), entities)
  assert.deepEqual(run([], true), [])
  assert.deepEqual(run([{ entityType: 'user', matchType: 0, match: 'alice' }], false), [
    { user: 'alice' },
    { user: 'alice', clientId: 'app' },
  ])
  assert.deepEqual(run([{ entityType: 'user', matchType: 0, match: 'alice' }], true), [{ user: 'alice' }])
  assert.deepEqual(run([{ entityType: 'user', matchType: 1, match: null }], false), [{ user: null }])
  assert.deepEqual(run([{ entityType: 'client-id', matchType: 2, match: null }], true), [
    { clientId: 'app' },
    { clientId: null },
  ])
  assert.deepEqual(checkFilter([{ entityType: 'user', matchType: 0, match: null }], false), {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: 'Request specified MATCH_TYPE_EXACT, but set match string to null.',
  })
  assert.deepEqual(checkFilter([{ entityType: 'topic', matchType: 2, match: null }], false), {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    errorMessage: 'Unsupported entity type topic',
  })
  assert.deepEqual(
    checkFilter(
      [
        { entityType: 'user', matchType: 2, match: null },
        { entityType: 'user', matchType: 1, match: null },
      ],
      false,
    ),
    {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Entity type user cannot appear more than once in the filter.',
    },
  )
})

test('resolution follows Kafka precedence and shares usage by the level that matched', async () => {
  const store = new ClientQuotaStore({})
  const client = { user: 'alice', clientId: 'app' }
  const resolved = () => resolveQuota(store, 'producer_byte_rate', client)
  assert.equal(resolved(), undefined)
  const levels: QuotaEntity[] = [
    { clientId: null },
    { clientId: 'app' },
    { user: null },
    { user: null, clientId: null },
    { user: null, clientId: 'app' },
    { user: 'alice' },
    { user: 'alice', clientId: null },
    { user: 'alice', clientId: 'app' },
  ]
  // Each added level is more specific than all before it, so it wins.
  for (const [index, entity] of levels.entries()) {
    await store.apply([{ entity, set: { producer_byte_rate: index + 1 }, remove: [] }])
    assert.equal(resolved()?.bound, index + 1, JSON.stringify(entity))
  }
  // A user-level quota is shared by all of alice's clients; a client-id one by the client id only.
  await store.apply([{ entity: { user: 'alice', clientId: 'app' }, set: {}, remove: ['producer_byte_rate'] }])
  await store.apply([{ entity: { user: 'alice', clientId: null }, set: {}, remove: ['producer_byte_rate'] }])
  assert.deepEqual(
    { user: resolved()?.user, clientId: resolved()?.clientId },
    { user: 'alice', clientId: '' },
  )
  // Another key has no quota at all.
  assert.equal(resolveQuota(store, 'consumer_byte_rate', client), undefined)
})

test('sampled rate: never divides by less than samples-1 windows; throttle is (O-T)/T × W', () => {
  const rate = new SampledRate({ samples: 11, windowMs: 1000 })
  rate.record(5_000_000, 0)
  assert.equal(rate.rate(0), 500_000) // 5 MB over the minimum 10 s
  assert.equal(rate.throttleMs(1_000_000, 0), 0)
  rate.record(10_000_000, 100)
  // 15 MB over 100 ms measured plus the 10 windows that a young rate is always given
  const { total, elapsedMs } = rate.measure(100)
  assert.equal(total, 15_000_000)
  assert.equal(elapsedMs, 10_100)
  const observed = (total * 1000) / elapsedMs
  assert.equal(rate.throttleMs(1_000_000, 100), Math.round(((observed - 1_000_000) / 1_000_000) * elapsedMs))
  // Windows older than samples × window no longer count.
  assert.equal(rate.measure(11_200).total, 0)
})

test('client quotas throttle a producer over its byte rate and keep usage bounded', async () => {
  const store = new ClientQuotaStore({})
  await store.apply([{ entity: { user: null }, set: { producer_byte_rate: 1000 }, remove: [] }])
  const throttled: number[] = []
  const quotas = new ClientQuotas({
    store,
    window: { samples: 2, windowMs: 1000 },
    onThrottle: (_quota, throttleMs) => throttled.push(throttleMs),
  })
  const alice = { user: 'alice', clientId: 'a' }
  assert.equal(quotas.record('producer_byte_rate', alice, 1000, 0), 0)
  // 3000 bytes over the minimum 1 s window: 3000 B/s against 1000 → (3000-1000)/1000 × 1000 ms.
  assert.equal(quotas.record('producer_byte_rate', alice, 2000, 0), 2000)
  assert.deepEqual(throttled, [2000])
  // Another user has a rate of its own (the default user quota is per user).
  assert.equal(quotas.record('producer_byte_rate', { user: 'bob', clientId: 'a' }, 1000, 0), 0)
  // No quota on consumer_byte_rate: nothing is recorded.
  assert.equal(quotas.record('consumer_byte_rate', alice, 1e9, 0), 0)
  assert.equal(quotas.usagesHeld, 2)
  // Idle usage is dropped once another is recorded after the whole window has passed.
  quotas.record('producer_byte_rate', { user: 'carol', clientId: '' }, 1, 10_000)
  assert.equal(quotas.usagesHeld, 1)
})

test('token bucket: a burst may go below zero, then the client waits -tokens/rate', () => {
  const bucket = new TokenBucket({ rate: 2, burstSeconds: 11 }, 0)
  bucket.take(22, 0)
  assert.equal(bucket.throttleMs(0), 0)
  bucket.take(4, 0)
  assert.equal(bucket.throttleMs(0), 2000)
  assert.equal(bucket.throttleMs(1000), 1000)
  assert.equal(bucket.throttleMs(2000), 0)
})

test('the store persists quotas and reads them back', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'streamline-quotas-'))
  try {
    const store = new ClientQuotaStore({ dataDir })
    await store.apply([
      {
        entity: { user: 'alice', clientId: null },
        set: { producer_byte_rate: 1024, request_percentage: 50 },
        remove: [],
      },
      { entity: { clientId: 'app' }, set: { consumer_byte_rate: 2048 }, remove: [] },
    ])
    await store.apply([{ entity: { clientId: 'app' }, set: {}, remove: ['consumer_byte_rate'] }])
    const reloaded = new ClientQuotaStore({ dataDir })
    await reloaded.load()
    assert.deepEqual(
      [...reloaded.all()],
      [
        {
          entity: { user: 'alice', clientId: null },
          values: { producer_byte_rate: 1024, request_percentage: 50 },
        },
      ],
    )
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})

test('request_percentage counts handling time, not a parked long-poll, and is bounded by one sample', async () => {
  const store = new ClientQuotaStore({})
  await store.apply([{ entity: { clientId: 'busy' }, set: { request_percentage: 5 }, remove: [] }])
  const quotas = new ClientQuotas({ store, window: { samples: 2, windowMs: 1000 } })
  const request = (apiKey: number) =>
    new RequestQuota(quotas, { principal: 'User:ANONYMOUS', clientId: 'busy', apiKey, apiVersion: 12 })
  const busyFor = (ms: number) => {
    const until = performance.now() + ms
    while (performance.now() < until) {}
  }
  // A Fetch that waited 60 ms for data and worked for almost nothing stays within 5 % (50 ms a second).
  const fetch = request(ApiKey.Fetch)
  busyFor(60)
  fetch.parked(60)
  assert.equal(fetch.finish({ requestBytes: 100, responseBytes: 100 }), 0)
  // A Metadata that keeps the loop busy 200 ms is 20 % of a second against 5 %: throttled, at most 1 s.
  const metadata = request(ApiKey.Metadata)
  busyFor(200)
  assert.equal(metadata.finish({ requestBytes: 100, responseBytes: 100 }), 1000)
  // ApiVersions is exempt, whatever it costs.
  const apiVersions = request(ApiKey.ApiVersions)
  busyFor(20)
  assert.equal(apiVersions.finish({ requestBytes: 100, responseBytes: 100 }), 0)
})
