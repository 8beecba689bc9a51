// Goal: the exact answers of the idempotent-producer checks on the wire: a resent batch (the last one,
// or an older one of the last five) is answered NONE with its original base offset and is not
// written again; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER (45) and writes nothing; the next
// batch in sequence goes on at the next offset.
// Method: the broker as the real CLI process; requests built with our generated codecs
// (kafka-codec-client.ts) and v2 batches with producer id, epoch and base sequence from buildBatch.
// The log end offset (ListOffsets latest) and a Fetch of the whole log show what was written.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createDefaultInitProducerIdRequest } from '../../../src/protocol/generated/init-producer-id-request.ts'
import { buildBatch, decodeBatches } from '../../../src/protocol/records/batch-v2.ts'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import {
  CodecClient,
  createTopicsRequestBody,
  fetchRequestBody,
  listOffsetsRequestBody,
  produceRequestBody,
} from '../../helpers/kafka-codec-client.ts'

const topic = 'idempotence-raw'
const produceVersion = 9
const timestamp = 1_700_000_000_000

let broker: BrokerProcess
let client: CodecClient
before(async () => {
  broker = await startBrokerProcess()
  client = await CodecClient.open(broker.host, broker.port)
  const created = await client.request(19, 5, createTopicsRequestBody([{ name: topic }]))
  assert.equal(created.topics[0].errorCode, 0)
})
after(async () => {
  client?.close()
  await broker?.stop()
})

function batch(producerId: bigint, baseSequence: number, values: string[]): Promise<Buffer> {
  return buildBatch({
    producerId,
    producerEpoch: 0,
    baseSequence,
    records: values.map((value, index) => ({ timestamp: timestamp + index, value: Buffer.from(value) })),
  })
}

async function produce(records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const response = await client.request(0, produceVersion, produceRequestBody(topic, 0, records))
  const { errorCode, baseOffset } = response.responses[0].partitionResponses[0]
  return { errorCode, baseOffset }
}

async function logEndOffset(): Promise<bigint> {
  const response = await client.request(2, 7, listOffsetsRequestBody(topic, 0, -1n))
  return response.topics[0].partitions[0].offset
}

/** Every record value in the log, in offset order, with its offset. */
async function logContents(): Promise<[number, string][]> {
  const response = await client.request(1, 11, fetchRequestBody(topic, 0, 0n))
  const records = response.responses[0].partitions[0].records
  assert.ok(records !== null)
  const batches = await decodeBatches(records)
  return batches.flatMap((decoded) =>
    decoded.records.map((record): [number, string] => [record.offset, String(record.value)]),
  )
}

test('a resent batch gets its original offsets; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
  const init = await client.request(22, 4, { ...createDefaultInitProducerIdRequest(), transactionalId: null })
  assert.equal(init.errorCode, 0)
  assert.equal(init.producerEpoch, 0)
  const producerId = init.producerId
  assert.ok(producerId >= 0n)

  const first = await batch(producerId, 0, ['a0', 'a1', 'a2'])
  assert.deepEqual(await produce(first), { errorCode: 0, baseOffset: 0n }, 'first batch')
  assert.deepEqual(await produce(first), { errorCode: 0, baseOffset: 0n }, 'the same batch again')
  assert.equal(await logEndOffset(), 3n, 'nothing appended twice')

  const gap = await batch(producerId, 5, ['gap'])
  assert.deepEqual(await produce(gap), { errorCode: 45, baseOffset: -1n }, 'sequence 5 where 3 is expected')
  assert.equal(await logEndOffset(), 3n, 'nothing appended for the gap')

  const second = await batch(producerId, 3, ['b3', 'b4'])
  assert.deepEqual(await produce(second), { errorCode: 0, baseOffset: 3n }, 'next batch in sequence')
  assert.deepEqual(await produce(first), { errorCode: 0, baseOffset: 0n }, 'an older batch resent')
  assert.deepEqual(await produce(second), { errorCode: 0, baseOffset: 3n }, 'the last batch resent')
  assert.equal(await logEndOffset(), 5n)
  assert.deepEqual(await logContents(), [
    [0, 'a0'],
    [1, 'a1'],
    [2, 'a2'],
    [3, 'b3'],
    [4, 'b4'],
  ])
})
