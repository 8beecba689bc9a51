// Goal: ListPartitionReassignments (46) and AlterPartitionReassignments (45) v0 answer as Kafka's
// controller does for a single-broker cluster: nothing is ever being reassigned (empty list, for
// "all" and for named topics, known or not); reassigning a partition to its current replica set
// ([this broker]) succeeds without change; other broker ids, repeats and empty lists get
// INVALID_REPLICA_ASSIGNMENT with Kafka's messages; a cancel NO_REASSIGNMENT_IN_PROGRESS; unknown
// topics and partitions UNKNOWN_TOPIC_OR_PARTITION; ACLs DESCRIBE / ALTER on the cluster; malformed
// bodies close only that connection.
// Method: an in-process broker with topic `moves` (2 partitions). kafkajs's admin
// listPartitionReassignments / alterPartitionReassignments (a real client that has the calls) checks
// what a client sees (error types per partition); the generated codecs (CodecClient) read every code
// and message exactly; acl-raw-broker.ts (SASL, authorizer on) for the ACL cases.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Admin } from 'kafkajs'
import { ApiKey } from '../../../src/protocol/generated/index.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { CodecClient, encodeRequest } from '../../helpers/kafka-codec-client.ts'
import { connectKafkajsAdmin } from '../../helpers/kafkajs.ts'
import { RawConnection } from '../../helpers/raw-kafka.ts'
import { Op, Res, useAclScene } from '../../security/acl-raw-broker.ts'

const topic = 'moves'
const unregistered = (broker: number) =>
  `The manual partition assignment includes broker ${broker}, but no such broker is registered.`

interface KafkajsPartitionError {
  topic: string
  partition: number
  type: string
}

/** Every answer Kafka's controller gives a reassignment on one broker, code and message. */
async function checkAlterAnswers(client: CodecClient): Promise<void> {
  const answer = await client.request(ApiKey.AlterPartitionReassignments, 0, {
    timeoutMs: 1000,
    topics: [
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, replicas: [0] },
          { partitionIndex: 1, replicas: [2, 0] },
          { partitionIndex: 0, replicas: [0, 0] },
          { partitionIndex: 1, replicas: [] },
          { partitionIndex: 0, replicas: [5, -1, 0] },
          { partitionIndex: 1, replicas: null },
          { partitionIndex: 2, replicas: [0] },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, replicas: null }] },
    ],
  })
  assert.deepEqual(answer, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    responses: [
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, errorCode: 0, errorMessage: null },
          { partitionIndex: 1, errorCode: 39, errorMessage: unregistered(2) },
          {
            partitionIndex: 0,
            errorCode: 39,
            errorMessage: 'The manual partition assignment includes the broker 0 more than once.',
          },
          {
            partitionIndex: 1,
            errorCode: 39,
            errorMessage: 'The manual partition assignment includes an empty replica list.',
          },
          // Ids are checked in ascending order: the lowest offender is named.
          { partitionIndex: 0, errorCode: 39, errorMessage: unregistered(-1) },
          { partitionIndex: 1, errorCode: 85, errorMessage: 'No partition reassignment is in progress.' },
          { partitionIndex: 2, errorCode: 3, errorMessage: `Unable to find partition ${topic}:2.` },
        ],
      },
      {
        name: 'missing',
        partitions: [
          { partitionIndex: 0, errorCode: 3, errorMessage: 'Unable to find a topic named missing.' },
        ],
      },
    ],
  })
}

/** Malformed List/Alter bodies close their connection; `client` is still answered after. */
async function malformedBodiesAreRefused(client: CodecClient, host: string, port: number): Promise<void> {
  const list = encodeRequest(ApiKey.ListPartitionReassignments, 0, 9, {
    timeoutMs: 1000,
    topics: [{ name: topic, partitionIndexes: [0] }],
  })
  const alter = encodeRequest(ApiKey.AlterPartitionReassignments, 0, 9, {
    timeoutMs: 1000,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [0] }] }],
  })
  const withSize = (body: Buffer) => {
    const frame = Buffer.alloc(4 + body.length)
    frame.writeInt32BE(body.length)
    body.copy(frame, 4)
    return frame
  }
  const malformed = [
    withSize(list.subarray(4, list.length - 3)), // cut inside the partition indexes
    withSize(alter.subarray(4, alter.length - 6)), // cut inside the replicas
    // The replica array's length varint replaced by 2^28: far more than the bytes that follow.
    withSize(
      Buffer.concat([alter.subarray(4, alter.length - 8), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01])]),
    ),
  ]
  for (const [index, frame] of malformed.entries()) {
    const bad = await RawConnection.open(host, port)
    try {
      await bad.write(frame)
      assert.ok(await bad.waitForClose(10_000), `malformed frame ${index} closes the connection`)
      assert.equal(bad.frames.length, 0)
    } finally {
      bad.destroy()
    }
  }
  const answer = await client.request(ApiKey.ListPartitionReassignments, 0, {
    timeoutMs: 1000,
    topics: null,
  })
  assert.equal(answer.errorCode, 0)
}

describe('partition reassignments on one broker', () => {
  let server: InProcessBroker
  let admin: Admin
  let client: CodecClient

  before(async () => {
    server = await startInProcessBroker()
    await server.broker.logs.createTopic(topic, { partitionCount: 2 })
    admin = (await connectKafkajsAdmin(server.bootstrap)).admin
    client = await CodecClient.open(server.broker.host, server.broker.port)
  })
  after(async () => {
    client?.close()
    await admin?.disconnect()
    await server?.stop()
  })

  test('kafkajs listPartitionReassignments: nothing in progress, for all topics and for named ones', async () => {
    assert.deepEqual(await admin.listPartitionReassignments({}), { topics: [] })
    assert.deepEqual(
      await admin.listPartitionReassignments({
        topics: [
          { topic, partitions: [0, 1, 7] },
          { topic: 'missing', partitions: [0] },
        ],
      }),
      { topics: [] },
    )
  })

  test('kafkajs alterPartitionReassignments: to the current replica set succeeds and changes nothing', async () => {
    await admin.alterPartitionReassignments({
      topics: [
        {
          topic,
          partitionAssignment: [
            { partition: 0, replicas: [0] },
            { partition: 1, replicas: [0] },
          ],
        },
      ],
    })
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    assert.deepEqual(
      metadata.topics[0]?.partitions.map(({ partitionId, leader, replicas, isr }) => ({
        partitionId,
        leader,
        replicas,
        isr,
      })),
      [
        { partitionId: 0, leader: 0, replicas: [0], isr: [0] },
        { partitionId: 1, leader: 0, replicas: [0], isr: [0] },
      ],
    )
  })

  test('kafkajs alterPartitionReassignments: other brokers, unknown topics and partitions fail per partition', async () => {
    const failed = await admin
      .alterPartitionReassignments({
        topics: [
          {
            topic,
            partitionAssignment: [
              { partition: 0, replicas: [0, 1] },
              { partition: 5, replicas: [0] },
            ],
          },
          { topic: 'missing', partitionAssignment: [{ partition: 0, replicas: [0] }] },
        ],
      })
      .then(
        () => assert.fail('kafkajs should report the failed partitions'),
        (error: { name: string; errors?: KafkajsPartitionError[] }) => error,
      )
    assert.equal(failed.name, 'KafkaJSAggregateError')
    assert.deepEqual(
      failed.errors?.map(({ topic, partition, type }) => ({ topic, partition, type })),
      [
        { topic, partition: 0, type: 'INVALID_REPLICA_ASSIGNMENT' },
        { topic, partition: 5, type: 'UNKNOWN_TOPIC_OR_PARTITION' },
        { topic: 'missing', partition: 0, type: 'UNKNOWN_TOPIC_OR_PARTITION' },
      ],
    )
  })

  test("AlterPartitionReassignments v0: Kafka's code and message for each partition", () =>
    checkAlterAnswers(client))

  test('ListPartitionReassignments v0: an empty answer with a null error message', async () => {
    for (const topics of [
      null,
      [{ name: topic, partitionIndexes: [0, 1] }],
      [{ name: 'x', partitionIndexes: [] }],
    ]) {
      const answer = await client.request(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 1000, topics })
      assert.deepEqual(answer, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] })
    }
  })

  test('malformed bodies close only that connection; the broker keeps answering', () =>
    malformedBodiesAreRefused(client, server.broker.host, server.broker.port))
})

describe('partition reassignments with the authorizer on', () => {
  const scene = useAclScene([topic])

  test('List needs DESCRIBE, Alter needs ALTER on the cluster', async () => {
    const alterRequest = {
      timeoutMs: 1000,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [0] }] }],
    }
    const refusedList = await scene.bob.request(ApiKey.ListPartitionReassignments, 0, {
      timeoutMs: 1000,
      topics: null,
    })
    assert.deepEqual(refusedList, {
      throttleTimeMs: 0,
      errorCode: 31,
      errorMessage: 'Cluster authorization failed.',
      topics: [],
    })
    const refusedAlter = await scene.bob.request(ApiKey.AlterPartitionReassignments, 0, alterRequest)
    assert.deepEqual(refusedAlter, {
      throttleTimeMs: 0,
      errorCode: 31,
      errorMessage: 'Cluster authorization failed.',
      responses: [
        {
          name: topic,
          partitions: [{ partitionIndex: 0, errorCode: 31, errorMessage: 'Cluster authorization failed.' }],
        },
      ],
    })
    // DESCRIBE is enough to list, not to alter; ALTER implies DESCRIBE.
    await scene.acl.grant([
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE },
    ])
    const listed = await scene.bob.request(ApiKey.ListPartitionReassignments, 0, {
      timeoutMs: 1000,
      topics: null,
    })
    assert.equal(listed.errorCode, 0)
    assert.equal((await scene.bob.request(ApiKey.AlterPartitionReassignments, 0, alterRequest)).errorCode, 31)
    await scene.acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }])
    const altered = await scene.bob.request(ApiKey.AlterPartitionReassignments, 0, alterRequest)
    assert.deepEqual(altered.responses, [
      { name: topic, partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] },
    ])
  })
})
