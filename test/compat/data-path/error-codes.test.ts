// Goal: the data path's error paths answer with the exact Kafka error codes a Java broker gives,
// and a refused write appends nothing: unknown topic with auto-create off (3), fetch offset out of
// range (1), an oversized batch against a topic's max.message.bytes (10), a batch whose CRC does
// not match (2), invalid topic names (17), replication factor 2 (38), and producing to a topic after
// deleting it (3).
// Method: requests no well-behaved client would send (a flipped CRC byte, a chosen size) are built
// with our generated codecs and record-batch builder on a raw socket (test/helpers/kafka-codec-client.ts);
// where a real client can provoke the same error, it does too (confluent-kafka's AdminClient and
// producer, kafka-python's consumer) and must surface the same code. Most cases run against the
// broker as the CLI starts it; the auto-create-off cases start a second one with
// --auto-create-topics=false.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import { BatchField } from '../../../src/protocol/records/batch-header.ts'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import {
  CodecClient,
  createTopicsRequestBody,
  deleteTopicsRequestBody,
  fetchRequestBody,
  metadataRequestBody,
  produceRequestBody,
  type RequestOf,
  type TopicToCreate,
} from '../../helpers/kafka-codec-client.ts'
import { runPython } from '../../helpers/python.ts'
import { makeDrivers } from './drivers.ts'

const confluentMissing = requireClient('confluent-kafka')
const kafkaPythonMissing = requireClient('kafka-python')

function records(count: number, valueBytes = 10) {
  return Array.from({ length: count }, (_, index) => ({
    timestamp: 1_700_000_000_000 + index,
    key: Buffer.from(`key-${index}`),
    value: Buffer.alloc(valueBytes, 97 + (index % 26)),
  }))
}

interface Address {
  host: string
  port: number
}

/** One request on a fresh connection: a broker that drops one connection cannot fail the next check. */
async function request<K extends ApiKey>(broker: Address, apiKey: K, version: number, body: RequestOf<K>) {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    return await client.request(apiKey, version, body)
  } finally {
    client.close()
  }
}

async function createTopics(broker: Address, topics: TopicToCreate[]): Promise<Record<string, number>> {
  const response = await request(broker, 19, 7, createTopicsRequestBody(topics))
  return Object.fromEntries(response.topics.map((topic) => [topic.name, topic.errorCode]))
}

/** Produce versions checked for refusals: v3 (first v2-batch version), v7, v8 (per-record errors), v9 (flexible), v11. */
const produceVersions = [3, 7, 8, 9, 11]

async function produce(
  broker: Address,
  topic: string,
  batch: Buffer,
  options: { partition?: number; version?: number } = {},
) {
  const version = options.version ?? 9
  const response = await request(broker, 0, version, produceRequestBody(topic, options.partition ?? 0, batch))
  assert.equal(response.responses.length, 1)
  assert.equal(response.responses[0].partitionResponses.length, 1)
  return response.responses[0].partitionResponses[0]
}

/** The error code each Produce version answers with ("closed: ..." when the broker dropped the connection). */
async function produceErrorByVersion(broker: Address, topic: string, batch: Buffer, partition = 0) {
  const codes: Record<string, number | string> = {}
  for (const version of produceVersions) {
    try {
      const answer = await produce(broker, topic, batch, { partition, version })
      codes[`v${version}`] = answer.errorCode
      if (answer.errorCode !== ErrorCode.NONE)
        assert.equal(answer.baseOffset, -1n, `Produce v${version} baseOffset`)
    } catch (error) {
      codes[`v${version}`] = `failed: ${(error as Error).message}`
    }
  }
  return codes
}

function sameForEveryVersion(code: number): Record<string, number> {
  return Object.fromEntries(produceVersions.map((version) => [`v${version}`, code]))
}

async function fetchPartition(broker: Address, topic: string, offset: bigint, version = 12) {
  const response = await request(broker, 1, version, fetchRequestBody(topic, 0, offset))
  assert.equal(response.responses.length, 1)
  return response.responses[0].partitions[0]
}

async function metadataTopicError(broker: Address, topic: string, allowAutoTopicCreation: boolean) {
  const response = await request(broker, 3, 12, metadataRequestBody([topic], allowAutoTopicCreation))
  assert.equal(response.topics.length, 1)
  return response.topics[0].errorCode
}

/** Asserts the partition holds nothing: high watermark 0 and no records. */
async function assertEmpty(broker: Address, topic: string): Promise<void> {
  const partition = await fetchPartition(broker, topic, 0n)
  assert.equal(partition.errorCode, ErrorCode.NONE)
  assert.equal(partition.highWatermark, 0n, `${topic}: something was appended`)
  assert.equal(partition.records?.length ?? 0, 0)
}

// One broker as the CLI starts it (auto-create on) for every describe block below but the last.
let broker: BrokerProcess
let workDir: string

before(async () => {
  workDir = await makeTempDir('streamline-errors-')
  broker = await startBrokerProcess()
})

after(async () => {
  await broker?.stop()
  if (workDir) await removeTempDir(workDir)
})

describe('OFFSET_OUT_OF_RANGE', () => {
  test('fetch beyond the log end or below its start: OFFSET_OUT_OF_RANGE (1), v4 and v12', async () => {
    assert.deepEqual(await createTopics(broker, [{ name: 'out-of-range' }]), { 'out-of-range': 0 })
    const produced = await produce(broker, 'out-of-range', await buildBatch({ records: records(3) }))
    assert.equal(produced.errorCode, ErrorCode.NONE)
    for (const version of [4, 12]) {
      for (const offset of [4n, 100n, -1n]) {
        const partition = await fetchPartition(broker, 'out-of-range', offset, version)
        assert.equal(partition.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, `Fetch v${version} at ${offset}`)
        assert.equal(partition.records?.length ?? 0, 0)
      }
      // The log end itself is in range: no error, no records, high watermark 3.
      const atEnd = await fetchPartition(broker, 'out-of-range', 3n, version)
      assert.equal(atEnd.errorCode, ErrorCode.NONE, `Fetch v${version} at the log end`)
      assert.equal(atEnd.highWatermark, 3n)
    }
  })

  test('kafka-python consumer seeking past the end gets OffsetOutOfRangeError (errno 1)', {
    skip: kafkaPythonMissing,
  }, async () => {
    const script = `
import json, sys, time
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import OffsetOutOfRangeError
consumer = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=None, auto_offset_reset='none',
                         enable_auto_commit=False, fetch_max_wait_ms=100)
tp = TopicPartition('out-of-range', 0)
consumer.assign([tp])
consumer.seek(tp, 50)
result = {'error': None}
deadline = time.monotonic() + 15
while time.monotonic() < deadline and result['error'] is None:
    try:
        consumer.poll(timeout_ms=300)
    except OffsetOutOfRangeError as error:
        result = {'error': type(error).__name__, 'errno': error.errno, 'partitions': {str(k): v for k, v in error.args[0].items()}}
consumer.close()
print(json.dumps(result))
`
    const result = await runPython(script, { args: [broker.bootstrap], timeoutMs: 40_000 })
    assert.deepEqual(result, {
      error: 'OffsetOutOfRangeError',
      errno: 1,
      partitions: { "TopicPartition(topic='out-of-range', partition=0)": 50 },
    })
  })
})

describe('MESSAGE_TOO_LARGE', () => {
  test('a batch above the topic max.message.bytes: MESSAGE_TOO_LARGE (10), nothing appended', async () => {
    const created = await createTopics(broker, [
      { name: 'small-messages', configs: { 'max.message.bytes': '1024' } },
    ])
    assert.deepEqual(created, { 'small-messages': 0 })
    const big = await buildBatch({ records: records(1, 2000) })
    assert.ok(big.length > 1024)
    assert.deepEqual(
      await produceErrorByVersion(broker, 'small-messages', big),
      sameForEveryVersion(ErrorCode.MESSAGE_TOO_LARGE),
    )
    await assertEmpty(broker, 'small-messages')
    // Exactly at the limit is allowed (Kafka refuses only sizeInBytes > max.message.bytes).
    let fits = await buildBatch({ records: records(1, 900) })
    fits = await buildBatch({ records: records(1, 900 + 1024 - fits.length) })
    assert.equal(fits.length, 1024)
    const accepted = await produce(broker, 'small-messages', fits)
    assert.equal(accepted.errorCode, ErrorCode.NONE)
    assert.equal(accepted.baseOffset, 0n)
  })

  test('confluent-kafka sees MSG_SIZE_TOO_LARGE (10) in its delivery report', {
    skip: confluentMissing,
  }, async () => {
    const created = await createTopics(broker, [
      { name: 'small-confluent', configs: { 'max.message.bytes': '1024' } },
    ])
    assert.deepEqual(created, { 'small-confluent': 0 })
    const drivers = makeDrivers(workDir)
    const big = { partition: 0, offset: null, key: 'k', value: 'x'.repeat(3000), headers: [], timestamp: 1 }
    const report = await drivers['confluent-kafka'].produce(
      broker.bootstrap,
      'small-confluent',
      [big],
      'none',
    )
    assert.deepEqual(report.delivered, [null])
    assert.deepEqual(
      report.errors.map((error) => (error as { code: number }).code),
      [ErrorCode.MESSAGE_TOO_LARGE],
    )
    await assertEmpty(broker, 'small-confluent')
  })
})

describe('CORRUPT_MESSAGE', () => {
  test('a batch with a corrupted CRC: CORRUPT_MESSAGE (2), nothing appended', async () => {
    assert.deepEqual(await createTopics(broker, [{ name: 'crc' }]), { crc: 0 })
    const good = await buildBatch({ records: records(5) })
    const flippedRecord = Buffer.from(good)
    flippedRecord[flippedRecord.length - 1] ^= 0x01 // inside the last record's value: covered by the CRC
    const flippedCrc = Buffer.from(good)
    flippedCrc[BatchField.crc] ^= 0x80
    for (const [what, corrupt] of [
      ['record byte', flippedRecord],
      ['CRC byte', flippedCrc],
    ] as const) {
      assert.deepEqual(
        await produceErrorByVersion(broker, 'crc', corrupt),
        sameForEveryVersion(ErrorCode.CORRUPT_MESSAGE),
        `flipped ${what}`,
      )
    }
    await assertEmpty(broker, 'crc')
    const accepted = await produce(broker, 'crc', good)
    assert.equal(accepted.errorCode, ErrorCode.NONE)
    assert.equal(accepted.baseOffset, 0n)
  })

  test('the connection that sent a corrupt batch stays usable (Kafka answers, it does not disconnect)', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    try {
      const good = await buildBatch({ records: records(1) })
      const corrupt = Buffer.from(good)
      corrupt[corrupt.length - 1] ^= 0x01
      const refused = await client.request(0, 9, produceRequestBody('crc', 0, corrupt))
      assert.equal(refused.responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE)
      const accepted = await client.request(0, 9, produceRequestBody('crc', 0, good))
      assert.equal(accepted.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
      assert.equal(accepted.responses[0].partitionResponses[0].baseOffset, 5n)
    } finally {
      client.close()
    }
  })
})

describe('INVALID_TOPIC_EXCEPTION and INVALID_REPLICATION_FACTOR', () => {
  const invalidNames = [
    '',
    '.',
    '..',
    'a'.repeat(250),
    'has space',
    'slash/name',
    'ümlaut',
    'star*',
    'tab\tname',
  ]

  test('invalid topic names: INVALID_TOPIC_EXCEPTION (17) from CreateTopics and Metadata auto-create', async () => {
    const created = await createTopics(
      broker,
      invalidNames.map((name) => ({ name })),
    )
    assert.deepEqual(
      created,
      Object.fromEntries(invalidNames.map((name) => [name, ErrorCode.INVALID_TOPIC_EXCEPTION])),
    )
    for (const name of invalidNames.filter((candidate) => candidate !== '')) {
      assert.equal(
        await metadataTopicError(broker, name, true),
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Metadata "${name}"`,
      )
    }
    // A name that collides with an existing one once '.' and '_' are equated.
    assert.deepEqual(await createTopics(broker, [{ name: 'dotted.name' }]), { 'dotted.name': 0 })
    assert.deepEqual(await createTopics(broker, [{ name: 'dotted_name' }]), {
      dotted_name: ErrorCode.INVALID_TOPIC_EXCEPTION,
    })
  })

  test('a 249-character name (the longest valid one) is created', async () => {
    const longest = 'b'.repeat(249)
    assert.deepEqual(await createTopics(broker, [{ name: longest }]), { [longest]: 0 })
    assert.equal(await metadataTopicError(broker, longest, false), ErrorCode.NONE)
  })

  test('replication factor 2 or 3: INVALID_REPLICATION_FACTOR (38); 1 and -1 are fine', async () => {
    const created = await createTopics(broker, [
      { name: 'rf-two', replicationFactor: 2 },
      { name: 'rf-three', replicationFactor: 3 },
      { name: 'rf-one', replicationFactor: 1 },
      { name: 'rf-default', replicationFactor: -1 },
    ])
    assert.deepEqual(created, {
      'rf-two': ErrorCode.INVALID_REPLICATION_FACTOR,
      'rf-three': ErrorCode.INVALID_REPLICATION_FACTOR,
      'rf-one': ErrorCode.NONE,
      'rf-default': ErrorCode.NONE,
    })
    assert.equal(await metadataTopicError(broker, 'rf-two', false), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  test('confluent-kafka AdminClient gets 17 for a bad name and 38 for replication factor 2', {
    skip: confluentMissing,
  }, async () => {
    const drivers = makeDrivers(workDir)
    const created = await drivers['confluent-kafka'].createTopics?.(broker.bootstrap, [
      { name: 'bad name', partitions: 1 },
      { name: 'confluent-rf-two', partitions: 1, replication: 2 },
    ])
    assert.deepEqual(created, {
      'bad name': ErrorCode.INVALID_TOPIC_EXCEPTION,
      'confluent-rf-two': ErrorCode.INVALID_REPLICATION_FACTOR,
    })
  })
})

describe('UNKNOWN_TOPIC_OR_PARTITION with auto-create off (--auto-create-topics=false)', () => {
  let broker: BrokerProcess

  before(async () => {
    broker = await startBrokerProcess({ args: ['--auto-create-topics=false'] })
  })

  after(async () => {
    await broker?.stop()
  })

  test('unknown topic: UNKNOWN_TOPIC_OR_PARTITION (3) from Metadata, Produce and Fetch; nothing created', async () => {
    assert.equal(await metadataTopicError(broker, 'ghost', true), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.deepEqual(
      await produceErrorByVersion(broker, 'ghost', await buildBatch({ records: records(1) })),
      sameForEveryVersion(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
    )
    const fetched = await fetchPartition(broker, 'ghost', 0n)
    assert.equal(fetched.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal(await metadataTopicError(broker, 'ghost', false), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const all = await request(broker, 3, 12, metadataRequestBody(null, true))
    assert.deepEqual(
      all.topics.map((topic) => topic.name),
      [],
    )
  })

  test('produce after DeleteTopics: UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    assert.deepEqual(await createTopics(broker, [{ name: 'doomed', numPartitions: 2 }]), { doomed: 0 })
    const before = await produce(broker, 'doomed', await buildBatch({ records: records(2) }), {
      partition: 1,
    })
    assert.equal(before.errorCode, ErrorCode.NONE)
    const deleted = await request(broker, 20, 6, deleteTopicsRequestBody(['doomed']))
    assert.deepEqual(
      deleted.responses.map((result) => [result.name, result.errorCode]),
      [['doomed', ErrorCode.NONE]],
    )
    for (const partition of [0, 1]) {
      assert.deepEqual(
        await produceErrorByVersion(broker, 'doomed', await buildBatch({ records: records(1) }), partition),
        sameForEveryVersion(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
        `partition ${partition}`,
      )
    }
    assert.equal(await metadataTopicError(broker, 'doomed', true), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const again = await request(broker, 20, 6, deleteTopicsRequestBody(['doomed']))
    assert.equal(again.responses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })
})
