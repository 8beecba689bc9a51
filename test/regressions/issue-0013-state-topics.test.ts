// Goal (issue 13, defect 2): internal and state topics get their own settings whoever creates them
// first, Kafka's refusals hold, and a data dir where an earlier version created `__consumer_offsets`
// with ordinary configs is repaired at start without losing committed offsets.
// Method: the broker as a process. Fresh broker: a raw Metadata request names `__consumer_offsets` and
// `__transaction_state` (as Burrow does at start; the first answer is not asserted, only what gets
// created); kafka-python commits offsets of a group; confluent-kafka's AdminClient then describes the
// topics: compacted, 50 partitions, Kafka's segment size and compression per topic. Raw requests check
// the refusals: Produce to `__consumer_offsets` (INVALID_TOPIC_EXCEPTION, not for `__admin_client`),
// CreateTopics of `__cluster_metadata` (INVALID_REQUEST) and of a state topic under `delete`
// (INVALID_CONFIG), and CreateTopics of `_schemas` with partitions -1 and no configs (1 partition,
// compact). Repair: the data dir gets `__consumer_offsets` as the old Metadata path made it (1 partition,
// no overrides: delete, 1 GiB segments) through the log manager; the broker starts on it, kafka-python
// commits, the broker is SIGKILLed and restarted: the offsets are there and the topic is compact, with
// its 1 partition.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { openLogManager } from '../../src/storage/log-manager.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import {
  CodecClient,
  createTopicsRequestBody,
  encodeRequest,
  metadataRequestBody,
  produceRequestBody,
} from '../helpers/kafka-codec-client.ts'
import { runPython } from '../helpers/python.ts'

const skip = requireClient('kafka-python') || requireClient('confluent-kafka')
const errorInvalidTopic = 17
const errorInvalidConfig = 40
const errorInvalidRequest = 42
const brokers: BrokerProcess[] = []
const dirs: string[] = []

after(async () => {
  for (const broker of brokers) await broker.kill()
  for (const dir of dirs) await removeTempDir(dir)
})

/** Metadata (v9, auto-creation allowed) until `name` shows partitions; returns their count. */
async function partitionsAfterMetadata(client: CodecClient, name: string): Promise<number> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const response = await client.request(3, 9, metadataRequestBody([name], true))
    const topic = response.topics.find((each) => each.name === name)
    if (topic !== undefined && topic.errorCode === 0 && topic.partitions.length > 0)
      return topic.partitions.length
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} never showed partitions`)
}

const commitScript = `
import json, sys
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata
bootstrap, topic, group, offset = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = KafkaProducer(bootstrap_servers=bootstrap)
for index in range(offset):
    producer.send(topic, key=b'k%d' % index, value=b'v%d' % index, partition=0)
producer.flush(30)
producer.close()
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.commit({tp: OffsetAndMetadata(offset, 'meta-' + group)})
consumer.close()
print(json.dumps({'committed': offset}))
`

const readScript = `
import json, sys
from kafka import KafkaConsumer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource
bootstrap, topic, groups, internal = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
offsets = {}
for group in groups:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    committed = consumer.committed(TopicPartition(topic, 0), metadata=True)
    offsets[group] = None if committed is None else [committed.offset, committed.metadata]
    consumer.close()
admin = AdminClient({'bootstrap.servers': bootstrap})
described = {}
listed = admin.list_topics(timeout=15).topics
for name in internal:
    future = admin.describe_configs([ConfigResource('topic', name)])
    entries = list(future.values())[0].result(timeout=15)
    described[name] = {
        'partitions': len(listed[name].partitions),
        'configs': {key: [entries[key].value, entries[key].source] for key in
                    ['cleanup.policy', 'segment.bytes', 'compression.type', 'retention.ms']},
    }
print(json.dumps({'offsets': offsets, 'topics': described}))
`

interface ReadResult {
  offsets: Record<string, [number, string] | null>
  topics: Record<string, { partitions: number; configs: Record<string, [string, number]> }>
}

const topicConfigSource = 1
const defaultConfigSource = 5

test('a Metadata request creates __consumer_offsets and __transaction_state with their own settings', {
  skip,
}, async () => {
  const broker = await startBrokerProcess()
  brokers.push(broker)
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    assert.equal(await partitionsAfterMetadata(client, '__consumer_offsets'), 50)
    assert.equal(await partitionsAfterMetadata(client, '__transaction_state'), 50)
    // isInternal as Kafka's Topic.isInternal: its two internal topics, not every `__` name.
    await partitionsAfterMetadata(client, '__not_internal')
    const described = await client.request(
      3,
      9,
      metadataRequestBody(['__consumer_offsets', '__transaction_state', '__not_internal'], false),
    )
    assert.deepEqual(
      described.topics.map((topic) => [topic.name, topic.isInternal]),
      [
        ['__consumer_offsets', true],
        ['__transaction_state', true],
        ['__not_internal', false],
      ],
    )
  } finally {
    client.close()
  }
  await runPython(commitScript, { args: [broker.bootstrap, 'orders', 'burrow-group', '3'] })
  const read = (await runPython(readScript, {
    args: [broker.bootstrap, 'orders', '["burrow-group"]', '["__consumer_offsets","__transaction_state"]'],
  })) as ReadResult
  assert.deepEqual(read.offsets, { 'burrow-group': [3, 'meta-burrow-group'] })
  assert.deepEqual(read.topics.__consumer_offsets, {
    partitions: 50,
    configs: {
      'cleanup.policy': ['compact', topicConfigSource],
      'segment.bytes': ['104857600', topicConfigSource],
      'compression.type': ['producer', topicConfigSource],
      'retention.ms': ['604800000', defaultConfigSource],
    },
  })
  assert.deepEqual(read.topics.__transaction_state, {
    partitions: 50,
    configs: {
      'cleanup.policy': ['compact', topicConfigSource],
      'segment.bytes': ['104857600', topicConfigSource],
      'compression.type': ['uncompressed', topicConfigSource],
      'retention.ms': ['604800000', defaultConfigSource],
    },
  })
})

test('Kafka refusals: produce to an internal topic, __cluster_metadata, a state topic under delete', {
  skip,
}, async () => {
  const broker = await startBrokerProcess()
  brokers.push(broker)
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    assert.equal(await partitionsAfterMetadata(client, '__consumer_offsets'), 50)
    const batch = await buildBatch({
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 }],
    })
    const produced = await client.request(0, 9, produceRequestBody('__consumer_offsets', 0, batch))
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, errorInvalidTopic)
    // Kafka lets its own admin client id append (kafka-consumer-groups tooling relies on it).
    const adminFrame = encodeRequest(0, 9, 900, produceRequestBody('__consumer_offsets', 0, batch))
    const patched = withClientId(adminFrame, '__admin_client')
    const adminProduced = await client.requestRaw(0, 9, 900, patched)
    assert.equal(adminProduced.responses[0].partitionResponses[0].errorCode, 0)

    const created = await client.request(
      19,
      7,
      createTopicsRequestBody([
        { name: '__cluster_metadata', numPartitions: 1 },
        { name: '__transaction_state', numPartitions: 3, configs: { 'cleanup.policy': 'delete' } },
        { name: '_schemas', numPartitions: -1, replicationFactor: -1 },
        { name: 'connect-offsets', numPartitions: 2, configs: { 'segment.bytes': '1048576' } },
      ]),
    )
    const byName = new Map(created.topics.map((topic) => [topic.name, topic]))
    assert.equal(byName.get('__cluster_metadata')?.errorCode, errorInvalidRequest)
    assert.equal(
      byName.get('__cluster_metadata')?.errorMessage,
      'Creation of internal topic __cluster_metadata is prohibited.',
    )
    assert.equal(byName.get('__transaction_state')?.errorCode, errorInvalidConfig)
    const schemas = byName.get('_schemas')
    assert.equal(schemas?.errorCode, 0)
    assert.equal(schemas?.numPartitions, 1)
    const configOf = (topic: typeof schemas, name: string) =>
      topic?.configs?.find((config) => config.name === name)?.value
    assert.equal(configOf(schemas, 'cleanup.policy'), 'compact')
    const offsets = byName.get('connect-offsets')
    assert.equal(offsets?.numPartitions, 2, 'an explicit count is kept, as Kafka does')
    assert.equal(configOf(offsets, 'cleanup.policy'), 'compact')
    assert.equal(configOf(offsets, 'segment.bytes'), '1048576')
  } finally {
    client.close()
  }
})

/** `frame` (size, v1/v2 header with client id 'sl-test', body) with another client id. */
function withClientId(frame: Buffer, clientId: string): Buffer {
  const old = Buffer.from('sl-test')
  const headerStart = 4 + 2 + 2 + 4
  assert.equal(frame.readInt16BE(headerStart), old.length)
  const replacement = Buffer.alloc(2 + Buffer.byteLength(clientId))
  replacement.writeInt16BE(Buffer.byteLength(clientId), 0)
  replacement.write(clientId, 2)
  const rebuilt = Buffer.concat([
    frame.subarray(4, headerStart),
    replacement,
    frame.subarray(headerStart + 2 + old.length),
  ])
  const sized = Buffer.alloc(4 + rebuilt.length)
  sized.writeInt32BE(rebuilt.length, 0)
  rebuilt.copy(sized, 4)
  return sized
}

test('a data dir with __consumer_offsets created the old way is repaired and keeps offsets', {
  skip,
}, async () => {
  const dataDir = await makeTempDir('streamline-issue13-')
  dirs.push(dataDir)
  // What the old Metadata auto-creation made: 1 partition, no overrides (delete, 1 GiB segments).
  const logs = await openLogManager({ dataDir, maintenanceIntervalMs: 0 })
  await logs.createTopic('__consumer_offsets', { partitionCount: 1 })
  await logs.close()

  const first = await startBrokerProcess({ dataDir })
  brokers.push(first)
  assert.match(first.output(), /state topic had ordinary configs/)
  await runPython(commitScript, { args: [first.bootstrap, 'orders', 'old-group', '4'] })
  await runPython(commitScript, { args: [first.bootstrap, 'orders', 'other-group', '2'] })
  await first.kill()

  const second = await startBrokerProcess({ dataDir })
  brokers.push(second)
  assert.doesNotMatch(second.output(), /state topic had ordinary configs/)
  const read = (await runPython(readScript, {
    args: [second.bootstrap, 'orders', '["old-group","other-group"]', '["__consumer_offsets"]'],
  })) as ReadResult
  assert.deepEqual(read.offsets, {
    'old-group': [4, 'meta-old-group'],
    'other-group': [2, 'meta-other-group'],
  })
  assert.deepEqual(read.topics.__consumer_offsets, {
    partitions: 1,
    configs: {
      'cleanup.policy': ['compact', topicConfigSource],
      'segment.bytes': ['104857600', topicConfigSource],
      'compression.type': ['producer', topicConfigSource],
      'retention.ms': ['604800000', defaultConfigSource],
    },
  })
})
