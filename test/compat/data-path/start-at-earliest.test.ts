// Goal: every client that starts a partition "from the beginning" asks the broker where that is
// (ListOffsets with timestamp -2, earliest) and then reads exactly the records from the log start
// offset on: after DeleteRecords moved the log start of each partition to 4, each client reads
// offsets 4..9 of every partition and nothing before.
// Method: the broker runs as the CLI; kafkajs's admin creates a 3-partition topic; confluent-kafka
// produces 30 records (10 a partition); a raw DeleteRecords v2 (our codecs) deletes below offset 4;
// then kcat (-o beginning), confluent-kafka (OFFSET_BEGINNING), kafka-python (seek_to_beginning),
// kafkajs (admin.fetchTopicOffsets, then its Fetch) and @platformatic/kafka (listOffsets -2, then
// its Fetch) each read the topic and the records are compared exactly.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  createDefaultDeleteRecordsPartition,
  createDefaultDeleteRecordsRequest,
  createDefaultDeleteRecordsTopic,
} from '../../../src/protocol/generated/delete-records-request.ts'
import { ErrorCode } from '../../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { type ClientName, requireClient } from '../../helpers/clients.ts'
import { assertSameRecords, makeRecords } from '../../helpers/data-path-records.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { type Driver, type DriverName, makeDrivers } from './drivers.ts'

const topic = 'earliest'
const partitions = 3
const count = 30
const logStartOffset = 4
const readers: readonly DriverName[] = ['kcat', 'confluent-kafka', 'kafka-python', 'kafkajs', 'platformatic']
const expected = makeRecords({ count, partitions, source: 'earliest' }).filter(
  (record) => (record.offset ?? 0) >= logStartOffset,
)

function missingClient(name: DriverName): string | false {
  return name === 'kafkajs' || name === 'platformatic' ? false : requireClient(name as ClientName)
}

describe('reading from the earliest offset after DeleteRecords', { timeout: 180_000 }, () => {
  let broker: BrokerProcess
  let workDir: string
  let drivers: Record<DriverName, Driver>

  before(async () => {
    workDir = await makeTempDir('streamline-earliest-')
    drivers = makeDrivers(workDir)
    broker = await startBrokerProcess()
    const created = await drivers.kafkajs.createTopics?.(broker.bootstrap, [{ name: topic, partitions }])
    assert.deepEqual(created, { [topic]: 0 })
    const records = makeRecords({ count, partitions, source: 'earliest' })
    const report = await drivers.kafkajs.produce(broker.bootstrap, topic, records, 'none')
    assert.deepEqual(
      report.delivered,
      records.map((record) => [record.partition, record.offset]),
    )
    const client = await CodecClient.open(broker.host, broker.port)
    try {
      const deleted = await client.request(21, 2, {
        ...createDefaultDeleteRecordsRequest(),
        timeoutMs: 10_000,
        topics: [
          {
            ...createDefaultDeleteRecordsTopic(),
            name: topic,
            partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
              ...createDefaultDeleteRecordsPartition(),
              partitionIndex,
              offset: BigInt(logStartOffset),
            })),
          },
        ],
      })
      assert.deepEqual(
        deleted.topics[0].partitions.map((partition) => [partition.errorCode, partition.lowWatermark]),
        Array.from({ length: partitions }, () => [ErrorCode.NONE, BigInt(logStartOffset)]),
      )
    } finally {
      client.close()
    }
  })

  after(async () => {
    await broker?.stop()
    if (workDir) await removeTempDir(workDir)
  })

  for (const reader of readers) {
    test(`${reader} starts at the log start offset (${logStartOffset}) and reads exactly what is left`, {
      skip: missingClient(reader),
    }, async () => {
      const read = await drivers[reader].read(
        broker.bootstrap,
        { [topic]: { partitions, count: expected.length } },
        'earliest',
        20_000,
      )
      assertSameRecords(read[topic] ?? [], expected, `${reader} from earliest`)
    })
  }
})
