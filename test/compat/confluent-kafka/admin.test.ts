// Goal: confluent-kafka (Python on librdkafka 2.0) administers topics and configs and reads offsets
// with Kafka's outcomes: CreateTopics with replication factor 2 → INVALID_REPLICATION_FACTOR, illegal
// names → INVALID_TOPIC_EXCEPTION (librdkafka's TOPIC_EXCEPTION), unknown or invalid configs →
// INVALID_CONFIG, TOPIC_ALREADY_EXISTS, validate_only creating nothing; CreatePartitions growing and
// refusing to shrink; DescribeConfigs of a topic (sources, synonyms) and of the broker; AlterConfigs
// replacing overrides and refusing broker changes; ListOffsets (watermarks, offsets_for_times);
// DeleteTopics.
// Method: an in-process broker; one Python script (Debian's python3-confluent-kafka) runs the calls
// in order, producing three keyed records with timestamps 1000/2000/3000 through a librdkafka
// producer before reading offsets, and prints every outcome as JSON; the test compares them exactly.
// (confluent-kafka 1.7 has no incremental_alter_configs; the platformatic test covers that API.)
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { topicConfigDefinitions } from '../../../src/storage/topic-config.ts'
import { requireClient } from '../../helpers/clients.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('confluent-kafka')

const adminScript = `
import json, sys
from confluent_kafka import KafkaException, Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource

bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap, 'socket.timeout.ms': 10000})
out = {}

def outcome(future):
    try:
        future.result(timeout=15)
        return 'OK'
    except KafkaException as e:
        return e.args[0].name()

def create(topics, **options):
    futures = admin.create_topics(topics, operation_timeout=10, **options)
    return {topic: outcome(future) for topic, future in futures.items()}

def grow(partitions, **options):
    futures = admin.create_partitions(partitions, operation_timeout=10, **options)
    return {topic: outcome(future) for topic, future in futures.items()}

def describe(resource):
    for future in admin.describe_configs([resource]).values():
        try:
            configs = future.result(timeout=15)
        except KafkaException as e:
            return e.args[0].name()
        return {name: {'value': entry.value, 'source': entry.source, 'is_default': entry.is_default,
                       'is_read_only': entry.is_read_only,
                       'synonyms': [[s.name, s.value, s.source] for s in entry.synonyms.values()]}
                for name, entry in configs.items()}

def alter(resource):
    return [outcome(future) for future in admin.alter_configs([resource]).values()][0]

def partition_counts():
    return {name: len(topic.partitions) for name, topic in admin.list_topics(timeout=10).topics.items()
            if not name.startswith('__')}

out['create'] = create([
    NewTopic('orders', 3, 1, config={'retention.ms': '3600000'}),
    NewTopic('replicated', 1, 2),
    NewTopic('bad name', 1, 1),
    NewTopic('a' * 250, 1, 1),
    NewTopic('unknown-config', 1, 1, config={'no.such.config': 'x'}),
    NewTopic('bad-value', 1, 1, config={'cleanup.policy': 'sometimes'}),
])
out['create_again'] = create([NewTopic('orders', 1, 1)])
out['create_validate_only'] = create([NewTopic('dry-run', 2, 1)], validate_only=True)
out['partitions_after_create'] = partition_counts()
out['grow'] = grow([NewPartitions('orders', 5)])
out['shrink'] = grow([NewPartitions('orders', 2)])
out['grow_validate_only'] = grow([NewPartitions('orders', 8)], validate_only=True)
out['grow_missing'] = grow([NewPartitions('missing', 8)])
out['partitions_after_grow'] = partition_counts()
out['describe_topic'] = describe(ConfigResource('topic', 'orders'))
out['describe_broker'] = describe(ConfigResource('broker', '0'))
out['describe_missing'] = describe(ConfigResource('topic', 'missing'))
out['alter'] = alter(ConfigResource('topic', 'orders', set_config={'cleanup.policy': 'compact', 'segment.ms': '3600000'}))
after = describe(ConfigResource('topic', 'orders'))
out['after_alter'] = {name: [after[name]['value'], after[name]['source']] for name in ('cleanup.policy', 'segment.ms', 'retention.ms')}
out['alter_invalid'] = alter(ConfigResource('topic', 'orders', set_config={'segment.ms': '-5'}))
out['alter_broker'] = alter(ConfigResource('broker', '0', set_config={'num.partitions': '4'}))

producer = Producer({'bootstrap.servers': bootstrap})
for timestamp in (1000, 2000, 3000):
    producer.produce('orders', key=b'k%d' % timestamp, value=b'%d' % timestamp, partition=0, timestamp=timestamp)
    producer.flush(10)
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'offsets-probe'})
out['watermarks'] = list(consumer.get_watermark_offsets(TopicPartition('orders', 0), timeout=10))
out['offsets_for_times'] = {str(t): consumer.offsets_for_times([TopicPartition('orders', 0, t)], timeout=10)[0].offset
                            for t in (0, 1000, 1500, 3000, 3001)}
consumer.close()

out['delete'] = {t: outcome(f) for t, f in admin.delete_topics(['orders', 'missing'], operation_timeout=10).items()}
out['topics_after_delete'] = sorted(name for name in admin.list_topics(timeout=10).topics if not name.startswith('__'))
print(json.dumps(out))
`

interface ConfigEntry {
  value: string
  source: number
  is_default: boolean
  is_read_only: boolean
  synonyms: [string, string, number][]
}

type Outcomes = Record<string, string>

interface ScriptResult {
  create: Outcomes
  create_again: Outcomes
  create_validate_only: Outcomes
  partitions_after_create: Record<string, number>
  grow: Outcomes
  shrink: Outcomes
  grow_validate_only: Outcomes
  grow_missing: Outcomes
  partitions_after_grow: Record<string, number>
  describe_topic: Record<string, ConfigEntry>
  describe_broker: Record<string, ConfigEntry>
  describe_missing: string
  alter: string
  after_alter: Record<string, [string, number]>
  alter_invalid: string
  alter_broker: string
  watermarks: [number, number]
  offsets_for_times: Record<string, number>
  delete: Outcomes
  topics_after_delete: string[]
}

let server: InProcessBroker
let result: ScriptResult

before(async () => {
  if (skip) return
  server = await startInProcessBroker()
  result = (await runPython(adminScript, { args: [server.bootstrap], timeoutMs: 120_000 })) as ScriptResult
})

after(async () => {
  await server?.stop()
})

test('create_topics: created, or the exact Kafka error per topic; validate_only creates nothing', {
  skip,
}, () => {
  assert.deepEqual(result.create, {
    orders: 'OK',
    replicated: 'INVALID_REPLICATION_FACTOR',
    'bad name': 'TOPIC_EXCEPTION',
    ['a'.repeat(250)]: 'TOPIC_EXCEPTION',
    'unknown-config': 'INVALID_CONFIG',
    'bad-value': 'INVALID_CONFIG',
  })
  assert.deepEqual(result.create_again, { orders: 'TOPIC_ALREADY_EXISTS' })
  assert.deepEqual(result.create_validate_only, { 'dry-run': 'OK' })
  assert.deepEqual(result.partitions_after_create, { orders: 3 })
})

test('create_partitions grows a topic and refuses to shrink it or touch a missing one', { skip }, () => {
  assert.deepEqual(result.grow, { orders: 'OK' })
  assert.deepEqual(result.shrink, { orders: 'INVALID_PARTITIONS' })
  assert.deepEqual(result.grow_validate_only, { orders: 'OK' })
  assert.deepEqual(result.grow_missing, { missing: 'UNKNOWN_TOPIC_OR_PART' })
  assert.deepEqual(result.partitions_after_grow, { orders: 5 })
})

test('describe_configs of a topic gives every config with its source and synonyms', { skip }, () => {
  const described = result.describe_topic
  assert.deepEqual(
    Object.keys(described).sort(),
    topicConfigDefinitions.map((definition) => definition.name).sort(),
  )
  assert.deepEqual(described['retention.ms'], {
    value: '3600000',
    source: 1,
    is_default: false,
    is_read_only: false,
    // Kafka's rule: log.retention.ms has no default of its own (log.retention.hours has), so no
    // DEFAULT_CONFIG synonym follows the override.
    synonyms: [['retention.ms', '3600000', 1]],
  })
  assert.deepEqual(described['max.message.bytes'], {
    value: '1048588',
    source: 5,
    is_default: true,
    is_read_only: false,
    synonyms: [['message.max.bytes', '1048588', 5]],
  })
  assert.equal(described['flush.ms'].value, '9223372036854775807')
  assert.equal(result.describe_missing, 'UNKNOWN_TOPIC_OR_PART')
})

test('describe_configs of the broker gives its real settings and dynamic flags', { skip }, () => {
  const described = result.describe_broker
  const entry = (name: string) => {
    const { value, source, is_read_only } = described[name]
    return { value, source, is_read_only }
  }
  assert.deepEqual(entry('num.partitions'), { value: '1', source: 5, is_read_only: true })
  assert.deepEqual(entry('log.dirs'), { value: server.dataDir, source: 4, is_read_only: true })
  // Kafka updates advertised.listeners per broker (dynamic), so it is not read-only.
  assert.deepEqual(entry('advertised.listeners'), {
    value: `PLAINTEXT://127.0.0.1:${server.broker.port}`,
    source: 4,
    is_read_only: false,
  })
  assert.deepEqual(entry('socket.request.max.bytes'), { value: '104857600', source: 5, is_read_only: true })
  // As Kafka: log.retention.ms has no value of its own unless set; log.retention.hours carries the default.
  assert.deepEqual(entry('log.retention.ms'), { value: null, source: 5, is_read_only: false })
  assert.deepEqual(entry('log.retention.hours'), { value: '168', source: 5, is_read_only: true })
})

test('alter_configs replaces the overrides; invalid values and broker changes are refused', { skip }, () => {
  assert.equal(result.alter, 'OK')
  assert.deepEqual(result.after_alter, {
    'cleanup.policy': ['compact', 1],
    'segment.ms': ['3600000', 1],
    'retention.ms': ['604800000', 5],
  })
  assert.equal(result.alter_invalid, 'INVALID_CONFIG')
  assert.equal(result.alter_broker, 'INVALID_REQUEST')
})

test('get_watermark_offsets and offsets_for_times read ListOffsets answers', { skip }, () => {
  assert.deepEqual(result.watermarks, [0, 3])
  assert.deepEqual(result.offsets_for_times, { '0': 0, '1000': 0, '1500': 1, '3000': 2, '3001': -1 })
})

test('delete_topics deletes a topic; a missing one is UNKNOWN_TOPIC_OR_PART', { skip }, () => {
  assert.deepEqual(result.delete, { orders: 'OK', missing: 'UNKNOWN_TOPIC_OR_PART' })
  assert.deepEqual(result.topics_after_delete, [])
})
