// Goal: kafka-python (a pure-Python client with its own protocol code: CreateTopics v0-3,
// DescribeConfigs, AlterConfigs, CreatePartitions, DeleteTopics, ListOffsets v0 and v1+) gets Kafka's
// outcomes: each error class kafka-python maps from our error codes (InvalidReplicationFactorError,
// InvalidTopicError, TopicAlreadyExistsError, InvalidConfigurationError, InvalidPartitionsError,
// UnknownTopicOrPartitionError), config sources and values from DescribeConfigs, AlterConfigs
// replacing overrides, and offsets by time, including ListOffsets v0 for a client pinned to 0.10.0.
// Method: an in-process broker; one Python script (Debian's python3-kafka) makes the calls in order,
// producing three keyed records with timestamps 1000/2000/3000 through KafkaProducer before reading
// offsets, and prints the outcomes as JSON; the test compares them exactly.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { requireClient } from '../../helpers/clients.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('kafka-python')

const adminScript = `
import json, sys
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.errors import KafkaError

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='streamline-compat', request_timeout_ms=10000)
out = {}

def attempt(call):
    try:
        call()
        return 'OK'
    except KafkaError as error:
        return type(error).__name__

def create(*topics, validate_only=False):
    return attempt(lambda: admin.create_topics(list(topics), timeout_ms=10000, validate_only=validate_only))

out['create'] = create(NewTopic('orders', 2, 1, topic_configs={'retention.ms': '3600000'}))
out['create_replicated'] = create(NewTopic('replicated', 1, 2))
out['create_bad_name'] = create(NewTopic('bad/name', 1, 1))
out['create_exists'] = create(NewTopic('orders', 1, 1))
out['create_unknown_config'] = create(NewTopic('odd', 1, 1, topic_configs={'no.such.config': '1'}))
out['create_validate_only'] = create(NewTopic('dry-run', 1, 1), validate_only=True)
out['topics'] = sorted(name for name in admin.list_topics() if not name.startswith('__'))

def describe(resource):
    response = admin.describe_configs([resource])[0]
    return [[code, message, kind, name, [list(entry[:5]) for entry in entries]]
            for code, message, kind, name, entries in response.resources]

out['describe'] = describe(ConfigResource(ConfigResourceType.TOPIC, 'orders', {'retention.ms': None, 'cleanup.policy': None}))
out['describe_broker'] = describe(ConfigResource(ConfigResourceType.BROKER, '0', {'num.partitions': None}))
out['alter'] = [list(r) for r in admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'orders', configs={'cleanup.policy': 'compact'})]).resources]
out['alter_invalid'] = [list(r)[:1] + list(r)[2:] for r in admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'orders', configs={'retention.ms': 'never'})]).resources]
out['after_alter'] = describe(ConfigResource(ConfigResourceType.TOPIC, 'orders', {'retention.ms': None, 'cleanup.policy': None}))
out['grow'] = attempt(lambda: admin.create_partitions({'orders': NewPartitions(4)}))
out['shrink'] = attempt(lambda: admin.create_partitions({'orders': NewPartitions(3)}))

producer = KafkaProducer(bootstrap_servers=bootstrap)
for timestamp in (1000, 2000, 3000):
    producer.send('orders', key=b'k%d' % timestamp, value=b'v', partition=0, timestamp_ms=timestamp).get(timeout=10)
producer.close()

partition = TopicPartition('orders', 0)
consumer = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=11000)
out['beginning'] = consumer.beginning_offsets([partition])[partition]
out['end'] = consumer.end_offsets([partition])[partition]
out['for_times'] = {str(t): (lambda found: None if found is None else [found.offset, found.timestamp])(
    consumer.offsets_for_times({partition: t})[partition]) for t in (0, 1500, 3000, 3001)}
consumer.close()
old = KafkaConsumer(bootstrap_servers=bootstrap, api_version=(0, 10, 0))
out['v0_beginning'] = old.beginning_offsets([partition])[partition]
out['v0_end'] = old.end_offsets([partition])[partition]
old.close()

out['delete'] = attempt(lambda: admin.delete_topics(['orders'], timeout_ms=10000))
out['delete_again'] = attempt(lambda: admin.delete_topics(['orders'], timeout_ms=10000))
admin.close()
print(json.dumps(out))
`

let server: InProcessBroker
let result: Record<string, unknown>

before(async () => {
  if (skip) return
  server = await startInProcessBroker()
  result = (await runPython(adminScript, { args: [server.bootstrap], timeoutMs: 120_000 })) as Record<
    string,
    unknown
  >
})

after(async () => {
  await server?.stop()
})

test('create_topics raises the error class of each Kafka error code', { skip }, () => {
  assert.deepEqual(
    {
      create: result.create,
      create_replicated: result.create_replicated,
      create_bad_name: result.create_bad_name,
      create_exists: result.create_exists,
      create_unknown_config: result.create_unknown_config,
      create_validate_only: result.create_validate_only,
      topics: result.topics,
    },
    {
      create: 'OK',
      create_replicated: 'InvalidReplicationFactorError',
      create_bad_name: 'InvalidTopicError',
      create_exists: 'TopicAlreadyExistsError',
      create_unknown_config: 'InvalidConfigurationError',
      create_validate_only: 'OK',
      topics: ['orders'],
    },
  )
})

test('describe_configs and alter_configs: values, read-only flags and sources', { skip }, () => {
  // Each entry: [name, value, read_only, config_source (v1+), is_sensitive].
  assert.deepEqual(result.describe, [
    [
      0,
      null,
      2,
      'orders',
      [
        ['cleanup.policy', 'delete', false, 5, false],
        ['retention.ms', '3600000', false, 1, false],
      ],
    ],
  ])
  assert.deepEqual(result.describe_broker, [[0, null, 4, '0', [['num.partitions', '1', true, 5, false]]]])
  assert.deepEqual(result.alter, [[0, null, 2, 'orders']])
  assert.deepEqual(result.alter_invalid, [[40, 2, 'orders']])
  assert.deepEqual(result.after_alter, [
    [
      0,
      null,
      2,
      'orders',
      [
        ['cleanup.policy', 'compact', false, 1, false],
        ['retention.ms', '604800000', false, 5, false],
      ],
    ],
  ])
})

test('create_partitions grows a topic and refuses to shrink it', { skip }, () => {
  assert.equal(result.grow, 'OK')
  assert.equal(result.shrink, 'InvalidPartitionsError')
})

test('beginning/end offsets and offsets_for_times, with ListOffsets v1+ and v0', { skip }, () => {
  assert.equal(result.beginning, 0)
  assert.equal(result.end, 3)
  assert.deepEqual(result.for_times, { '0': [0, 1000], '1500': [1, 2000], '3000': [2, 3000], '3001': null })
  assert.equal(result.v0_beginning, 0)
  assert.equal(result.v0_end, 3)
})

test('delete_topics deletes; a second delete raises UnknownTopicOrPartitionError', { skip }, () => {
  assert.equal(result.delete, 'OK')
  assert.equal(result.delete_again, 'UnknownTopicOrPartitionError')
})
