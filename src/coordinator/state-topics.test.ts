// Goal: state topics keep their own settings: the spec fills in what a request leaves out, an explicit
// value is kept, and any cleanup policy other than compact is refused.
// Method: stateTopicOverrides and the registry, without a broker.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KafkaError } from '../errors.ts'
import { createStateTopicRegistry, isKafkaInternalTopic, stateTopicOverrides } from './state-topics.ts'

test('the registry holds the internal and platform state topics with their settings', () => {
  const registry = createStateTopicRegistry({
    offsetsTopicPartitions: 7,
    offsetsTopicSegmentBytes: 1024,
    transactionTopicPartitions: 3,
    transactionTopicSegmentBytes: 2048,
  })
  assert.deepEqual(registry.get('__consumer_offsets'), {
    name: '__consumer_offsets',
    partitionCount: 7,
    configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '1024' },
  })
  assert.equal(registry.get('__transaction_state')?.partitionCount, 3)
  assert.deepEqual(
    registry.all().map((spec) => [spec.name, spec.partitionCount]),
    [
      ['__consumer_offsets', 7],
      ['__transaction_state', 3],
      ['_schemas', 1],
      ['connect-configs', 1],
      ['connect-offsets', 25],
      ['connect-status', 5],
      ['__streamline_queries', 1],
    ],
  )
  registry.add({ name: '_streamline_queries', partitionCount: 1, configs: { 'cleanup.policy': 'compact' } })
  assert.equal(registry.get('_streamline_queries')?.partitionCount, 1)
  assert.equal(isKafkaInternalTopic('__consumer_offsets'), true)
  assert.equal(isKafkaInternalTopic('_schemas'), false)
})

test('overrides: the spec under the request, compact only', () => {
  const spec = createStateTopicRegistry().get('_schemas')
  assert.ok(spec !== undefined)
  assert.deepEqual(stateTopicOverrides(spec, { 'segment.bytes': '1048576' }), {
    'cleanup.policy': 'compact',
    'segment.bytes': '1048576',
  })
  assert.deepEqual(stateTopicOverrides(spec, { 'cleanup.policy': ' Compact ' }), {
    'cleanup.policy': ' Compact ',
  })
  for (const policy of ['delete', 'compact,delete', ''])
    assert.throws(
      () => stateTopicOverrides(spec, { 'cleanup.policy': policy }),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 40,
    )
})
