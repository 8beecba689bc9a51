// Goal: the answers no installed client can ask for are Kafka's: ElectLeaders (v0 and v1) answers
// ELECTION_NOT_NEEDED for existing partitions, UNKNOWN_TOPIC_OR_PARTITION otherwise, nothing for
// "all partitions", and INVALID_REQUEST for an unknown election type; OffsetForLeaderEpoch (v2)
// fences stale and future current leader epochs and reports unknown partitions (the one client with
// a v4 implementation, @platformatic/kafka, misreads error answers).
// Method: an in-process broker with a topic whose partition 0 holds batches written at leader epochs
// 0 and 2 (appended straight to its log). Requests are assembled byte by byte here, independently of
// src/protocol (a codec bug must not hide itself), sent on a raw socket, and the responses decoded
// with test/helpers/raw-kafka.ts's ByteReader and compared exactly.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { ByteReader, encodeRequestFrame, RawConnection } from '../../helpers/raw-kafka.ts'

const apiKeyOffsetForLeaderEpoch = 23
const apiKeyElectLeaders = 43
const topic = 'epochs'

/** Big-endian fields of the non-flexible request versions used here. */
const int8 = (value: number) => Buffer.from([value & 0xff])
function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeInt16BE(value)
  return buffer
}
function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}
const string = (value: string) => Buffer.concat([int16(Buffer.byteLength(value)), Buffer.from(value)])
function array<T>(items: readonly T[], encode: (item: T) => Buffer): Buffer {
  return Buffer.concat([int32(items.length), ...items.map(encode)])
}

function readArray<T>(reader: ByteReader, decode: () => T): T[] {
  const count = reader.int32()
  return Array.from({ length: count }, decode)
}

let server: InProcessBroker
let connection: RawConnection
let correlationId = 0

async function call(apiKey: number, apiVersion: number, body: Buffer): Promise<ByteReader> {
  correlationId += 1
  const expected = correlationId
  await connection.write(
    encodeRequestFrame({ apiKey, apiVersion, correlationId, flexibleHeader: false, body }),
  )
  const arrived = await connection.waitFor(
    () => connection.frames.some((f) => f.correlationId === expected),
    10_000,
  )
  assert.ok(arrived, `no response to correlation id ${expected} (closed: ${connection.closed})`)
  const frame = connection.frames.find((f) => f.correlationId === expected)!
  return new ByteReader(frame.rest)
}

before(async () => {
  server = await startInProcessBroker()
  await server.broker.logs.createTopic(topic, { partitionCount: 2 })
  const log = server.broker.logs.partition(topic, 0)!
  for (const leaderEpoch of [0, 0, 2]) {
    const batch = await buildBatch({ records: [{ timestamp: 1000, value: Buffer.from('x') }] })
    await log.append(batch, { durable: false, leaderEpoch })
  }
  connection = await RawConnection.open(server.broker.host, server.broker.port)
})

after(async () => {
  connection?.destroy()
  await server?.stop()
})

interface ElectionResult {
  topic: string
  partitions: [number, number, string | null][]
}

function readElectionResults(reader: ByteReader): ElectionResult[] {
  return readArray(reader, () => ({
    topic: reader.nullableString() ?? '',
    partitions: readArray(reader, (): [number, number, string | null] => [
      reader.int32(),
      reader.int16(),
      reader.nullableString(),
    ]),
  }))
}

const electionRequest = (partitions: readonly [string, number[]][]) =>
  array(partitions, ([name, indexes]) => Buffer.concat([string(name), array(indexes, int32)]))

test('ElectLeaders v0: ELECTION_NOT_NEEDED for existing partitions, UNKNOWN_TOPIC_OR_PARTITION otherwise', async () => {
  const body = Buffer.concat([
    electionRequest([
      [topic, [0, 1, 5]],
      ['missing', [0]],
    ]),
    int32(1000),
  ])
  const reader = await call(apiKeyElectLeaders, 0, body)
  assert.equal(reader.int32(), 0, 'throttleTimeMs')
  assert.deepEqual(readElectionResults(reader), [
    {
      topic,
      partitions: [
        [0, 84, 'Leader election not needed for topic partition.'],
        [1, 84, 'Leader election not needed for topic partition.'],
        [5, 3, `No such partition as ${topic}-5`],
      ],
    },
    { topic: 'missing', partitions: [[0, 3, 'No such topic as missing']] },
  ])
  assert.equal(reader.remaining, 0)
})

test('ElectLeaders v1: all partitions (null) gives no results; an unknown election type is INVALID_REQUEST', async () => {
  const all = await call(apiKeyElectLeaders, 1, Buffer.concat([int8(0), int32(-1), int32(1000)]))
  assert.deepEqual([all.int32(), all.int16(), readElectionResults(all), all.remaining], [0, 0, [], 0])
  const body = Buffer.concat([int8(7), electionRequest([[topic, [0]]]), int32(1000)])
  const unknownType = await call(apiKeyElectLeaders, 1, body)
  assert.deepEqual(
    [unknownType.int32(), unknownType.int16(), readElectionResults(unknownType)],
    [0, 42, [{ topic, partitions: [[0, 42, 'Unknown election type 7']] }]],
  )
})

test('OffsetForLeaderEpoch v2: end offsets, fencing by current leader epoch, unknown partitions', async () => {
  // [partition, currentLeaderEpoch, leaderEpoch]
  const asks: [number, number, number][] = [
    [0, 2, 0],
    [0, -1, 2],
    [0, 1, 0],
    [0, 3, 0],
    [1, -1, 0],
    [7, -1, 0],
  ]
  const body = array([topic], (name) =>
    Buffer.concat([
      string(name),
      array(asks, ([p, current, epoch]) => Buffer.concat([int32(p), int32(current), int32(epoch)])),
    ]),
  )
  const reader = await call(apiKeyOffsetForLeaderEpoch, 2, body)
  assert.equal(reader.int32(), 0, 'throttleTimeMs')
  const topics = readArray(reader, () => ({
    topic: reader.nullableString(),
    partitions: readArray(reader, () => {
      const errorCode = reader.int16()
      return [reader.int32(), errorCode, reader.int32(), reader.int64()]
    }),
  }))
  assert.deepEqual(topics, [
    {
      topic,
      partitions: [
        [0, 0, 0, 2n], // epoch 0 ends where epoch 2 starts
        [0, 0, 2, 3n], // the latest epoch ends at the log end offset
        [0, 74, -1, -1n], // FENCED_LEADER_EPOCH: the client's epoch 1 is older than 2
        [0, 75, -1, -1n], // UNKNOWN_LEADER_EPOCH: epoch 3 is newer than ours
        [1, 0, -1, -1n], // no epoch recorded yet in an empty partition
        [7, 3, -1, -1n], // UNKNOWN_TOPIC_OR_PARTITION
      ],
    },
  ])
  assert.equal(reader.remaining, 0)
})
