// Goal (issue 13, defect 3): the request that auto-creates a topic is answered as Kafka 3.x in KRaft
// mode answers it (AutoTopicCreationManager.sendCreateTopicRequest, KafkaApis
// handleTopicMetadataRequest / handleProduceRequest): a Metadata request naming an unknown topic
// with auto-creation allowed creates it but answers UNKNOWN_TOPIC_OR_PARTITION, no partitions and a
// zero topic id; the next Metadata shows the partitions. Without CREATE the answer is
// TOPIC_AUTHORIZATION_FAILED (nothing created). Produce never creates a topic
// (UNKNOWN_TOPIC_OR_PARTITION). After DeleteTopics, the first Metadata for the name again shows no
// partitions (kafka-go's delete flow relies on it). kafka-python's own Metadata request sees exactly
// that; real clients still produce to a new topic: kcat, kafkajs and confluent-kafka retry their
// metadata and their record lands at offset 0.
// Method: raw Metadata v0/v4/v9/v12, Produce v9 and DeleteTopics (generated codecs) against an
// in-process broker and an in-process SASL/ACL broker; the three clients produce with their default
// settings and their record is read back.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { requireClient } from '../helpers/clients.ts'
import { type InProcessBroker, startInProcessBroker } from '../helpers/in-process-broker.ts'
import {
  CodecClient,
  deleteTopicsRequestBody,
  listOffsetsRequestBody,
  metadataRequestBody,
  produceRequestBody,
} from '../helpers/kafka-codec-client.ts'
import { runPython } from '../helpers/python.ts'
import { Op, Res, useAclScene } from '../security/acl-raw-broker.ts'

const zeroUuid = '00000000-0000-0000-0000-000000000000'
const clientTimeoutMs = 30_000

let broker: InProcessBroker
let client: CodecClient

before(async () => {
  broker = await startInProcessBroker()
  client = await CodecClient.open(broker.broker.host, broker.broker.port)
})

after(async () => {
  client.close()
  await broker.stop()
})

async function metadataOf(name: string, version: number, allowAutoTopicCreation: boolean) {
  const response = await client.request(
    ApiKey.Metadata,
    version,
    metadataRequestBody([name], allowAutoTopicCreation),
  )
  assert.equal(response.topics.length, 1)
  const [topic] = response.topics
  return {
    errorCode: topic.errorCode,
    name: topic.name,
    topicId: version >= 10 ? topic.topicId : zeroUuid,
    partitions: topic.partitions.map((partition) => [partition.partitionIndex, partition.errorCode]),
  }
}

/** The end offset of partition 0 (ListOffsets latest), to see what was appended. */
async function endOffsetOf(name: string): Promise<bigint | undefined> {
  const response = await client.request(ApiKey.ListOffsets, 7, listOffsetsRequestBody(name, 0, -1n))
  return response.topics[0]?.partitions[0]?.offset
}

describe('Metadata that auto-creates a topic (raw protocol)', () => {
  for (const version of [0, 4, 9, 12]) {
    it(`v${version}: creates the topic, answers UNKNOWN_TOPIC_OR_PARTITION with no partitions, then describes it`, async () => {
      const name = `auto-metadata-v${version}`
      assert.deepEqual(await metadataOf(name, version, true), {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        name,
        topicId: zeroUuid,
        partitions: [],
      })
      const created = broker.broker.logs.getTopic(name)
      assert.ok(created !== undefined, 'the first request created the topic')
      assert.deepEqual(await metadataOf(name, version, true), {
        errorCode: ErrorCode.NONE,
        name,
        topicId: version >= 10 ? created.topicId : zeroUuid,
        partitions: [[0, ErrorCode.NONE]],
      })
    })
  }

  it('without allow_auto_topic_creation: UNKNOWN_TOPIC_OR_PARTITION and nothing created', async () => {
    assert.deepEqual(await metadataOf('auto-not-allowed', 12, false), {
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      name: 'auto-not-allowed',
      topicId: zeroUuid,
      partitions: [],
    })
    assert.equal(broker.broker.logs.getTopic('auto-not-allowed'), undefined)
  })

  it('after DeleteTopics, the first Metadata for the name shows no partitions again', async () => {
    const name = 'auto-deleted'
    await metadataOf(name, 12, true)
    assert.equal((await metadataOf(name, 12, true)).errorCode, ErrorCode.NONE)
    const deleted = await client.request(ApiKey.DeleteTopics, 6, deleteTopicsRequestBody([name]))
    assert.equal(deleted.responses[0].errorCode, ErrorCode.NONE)
    assert.deepEqual((await metadataOf(name, 12, true)).partitions, [])
    assert.deepEqual((await metadataOf(name, 12, true)).partitions, [[0, ErrorCode.NONE]])
  })
})

describe('Produce to a topic that does not exist (raw protocol)', () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing, as Kafka', async () => {
    const batch = await buildBatch({ records: [{ timestamp: Date.now(), value: Buffer.from('lost') }] })
    const response = await client.request(ApiKey.Produce, 9, produceRequestBody('auto-produce', 0, batch))
    const partition = response.responses[0].partitionResponses[0]
    assert.deepEqual([partition.errorCode, partition.baseOffset], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n])
    assert.equal(broker.broker.logs.getTopic('auto-produce'), undefined)
  })
})

describe('Metadata auto-creation without CREATE (ACLs)', () => {
  const scene = useAclScene([])
  it('DESCRIBE without CREATE: TOPIC_AUTHORIZATION_FAILED, nothing created; with CREATE: created', async () => {
    await scene.acl.grant([{ resourceType: Res.TOPIC, resourceName: 'auto-acl', operation: Op.DESCRIBE }])
    const bob = await scene.acl.login('bob')
    const ask = async () =>
      (await bob.request(ApiKey.Metadata, 12, metadataRequestBody(['auto-acl'], true))).topics.map(
        (topic) => [topic.name, topic.errorCode, topic.partitions.length],
      )
    assert.deepEqual(await ask(), [['auto-acl', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0]])
    assert.equal(scene.acl.broker.logs.getTopic('auto-acl'), undefined)
    await scene.acl.grant([{ resourceType: Res.TOPIC, resourceName: 'auto-acl', operation: Op.CREATE }])
    assert.deepEqual(await ask(), [['auto-acl', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]])
    assert.deepEqual(await ask(), [['auto-acl', ErrorCode.NONE, 1]])
  })
})

function runKcat(kcat: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kcat,
      args,
      { timeout: clientTimeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    )
    child.stdin?.end(input ?? '')
  })
}

describe("a real client's own Metadata request", () => {
  it('kafka-python (its MetadataRequest v5): first UNKNOWN_TOPIC_OR_PARTITION, no partitions; then one partition', {
    skip: requireClient('kafka-python'),
  }, async () => {
    const script = `
import json, sys, time
from kafka.client_async import KafkaClient
from kafka.protocol.metadata import MetadataRequest
client = KafkaClient(bootstrap_servers=sys.argv[1], api_version=(2, 0))
node = client.least_loaded_node()
deadline = time.time() + 20
while not client.ready(node) and time.time() < deadline:
    client.poll(timeout_ms=100)
def ask(topic):
    future = client.send(node, MetadataRequest[5](topics=[topic], allow_auto_topic_creation=True))
    client.poll(future=future, timeout_ms=10000)
    if not future.succeeded():
        raise SystemExit('no Metadata answer: %r' % (future.exception,))
    return [[t[1], t[0], len(t[3])] for t in future.value.topics]
print(json.dumps([ask(sys.argv[2]), ask(sys.argv[2])]))
client.close()
`
    const answers = await runPython(script, {
      args: [broker.bootstrap, 'auto-kafka-python'],
      timeoutMs: clientTimeoutMs,
    })
    assert.deepEqual(answers, [
      [['auto-kafka-python', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]],
      [['auto-kafka-python', ErrorCode.NONE, 1]],
    ])
  })
})

describe('real clients produce to a topic that does not exist yet', () => {
  it('kcat: -P to a new topic lands at offset 0', {
    skip: requireClient('kcat'),
  }, async () => {
    const kcat = 'kcat'
    const bootstrap = broker.bootstrap
    await runKcat(kcat, ['-b', bootstrap, '-P', '-t', 'auto-kcat', '-p', '0'], 'from-kcat\n')
    const consumed = await runKcat(kcat, [
      '-b',
      bootstrap,
      '-C',
      '-t',
      'auto-kcat',
      '-o',
      'beginning',
      '-e',
      '-f',
      '%o:%s\n',
    ])
    assert.equal(consumed, '0:from-kcat\n')
  })

  it('kafkajs: send to a new topic succeeds and lands at offset 0', async () => {
    const kafka = new Kafka({ clientId: 'issue-13', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    try {
      const [result] = await producer.send({ topic: 'auto-kafkajs', messages: [{ value: 'from-kafkajs' }] })
      assert.deepEqual(
        [result.topicName, result.partition, result.errorCode, result.baseOffset],
        ['auto-kafkajs', 0, 0, '0'],
      )
    } finally {
      await producer.disconnect()
    }
    assert.equal(await endOffsetOf('auto-kafkajs'), 1n)
  })

  it('confluent-kafka: produce to a new topic is delivered at offset 0', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const script = `
import json, sys
from confluent_kafka import Producer
producer = Producer({'bootstrap.servers': sys.argv[1]})
delivered = []
producer.produce('auto-confluent', b'from-confluent', callback=lambda err, msg: delivered.append(
    [str(err) if err else None, msg.topic(), msg.partition(), msg.offset()]))
producer.flush(30)
print(json.dumps(delivered))
`
    const delivered = await runPython(script, { args: [broker.bootstrap], timeoutMs: clientTimeoutMs })
    assert.deepEqual(delivered, [[null, 'auto-confluent', 0, 0]])
  })
})
