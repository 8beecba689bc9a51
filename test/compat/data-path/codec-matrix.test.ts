// Goal: data produced by each client with each compression codec it supports (none, gzip, snappy,
// lz4, zstd) is read back exactly by every other client that can decode that codec (issue 4's
// cross-client matrix). Cells a client cannot do are registered as skipped tests that say why
// (kafkajs: gzip only without plugins; @platformatic/kafka: no zstd on Node 20; kafka-python's
// consumer: no zstd, it never fetches above v4).
// Method: one broker (the real CLI); kafkajs's admin creates one 2-partition topic per
// (producer, codec); each producer writes 6 keyed records with headers and explicit timestamps
// (kcat: fixed headers per run, its own clock for timestamps) with acks=all, and a raw Fetch checks
// every stored batch carries that codec (some clients skip compression that does not pay: the
// values are made compressible so none does); then each reader reads
// every topic it can decode from offset 0 in one run and each cell is compared exactly (key,
// value, headers, timestamp, partition, offset, order). For kcat-produced cells the timestamps
// must lie in the produce window and be the same for every reader.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { splitBatches } from '../../../src/protocol/records/batch-framing.ts'
import { readBatchHeader } from '../../../src/protocol/records/batch-header.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { type ClientName, requireClient } from '../../helpers/clients.ts'
import { assertSameRecords, makeRecords, type TestRecord } from '../../helpers/data-path-records.ts'
import { CodecClient, fetchRequestBody } from '../../helpers/kafka-codec-client.ts'
import {
  allCodecs,
  type Codec,
  type Driver,
  type DriverName,
  kcatRecordHeaders,
  makeDrivers,
} from './drivers.ts'

const driverNames: readonly DriverName[] = [
  'kcat',
  'confluent-kafka',
  'kafka-python',
  'kafkajs',
  'platformatic',
]
const externalClients = new Set<string>(['kcat', 'confluent-kafka', 'kafka-python'])
const partitions = 2
const recordsPerCell = 6
const readTimeoutMs = 20_000

function missingClient(name: DriverName): string | false {
  return externalClients.has(name) ? requireClient(name as ClientName) : false
}

interface Cell {
  producer: DriverName
  codec: Codec
  topic: string
  expected: TestRecord[]
  /** Set once the producer ran: the window its clock stamps kcat records within. */
  producedFrom?: number
  producedUntil?: number
  produced: boolean
}

const cells: Cell[] = []
for (const producer of driverNames) {
  for (const codec of allCodecs) {
    let expected = makeRecords({
      count: recordsPerCell,
      partitions,
      source: `${producer}-${codec}`,
      valuePadding: '-compressible'.repeat(20),
    })
    if (producer === 'kcat') {
      expected = expected.map((record) => ({ ...record, headers: kcatRecordHeaders(record.partition) }))
    }
    cells.push({ producer, codec, topic: `matrix-${producer}-${codec}`, expected, produced: false })
  }
}

let broker: BrokerProcess
let workDir: string
let drivers: Record<DriverName, Driver>
/** kcat-produced records: the timestamp the first reader saw, which every other reader must see too. */
const kcatTimestamps = new Map<string, number>()

before(async () => {
  workDir = await makeTempDir('streamline-matrix-')
  drivers = makeDrivers(workDir)
  broker = await startBrokerProcess()
  const created = await drivers.kafkajs.createTopics?.(
    broker.bootstrap,
    cells.map((cell) => ({ name: cell.topic, partitions })),
  )
  assert.deepEqual(created, Object.fromEntries(cells.map((cell) => [cell.topic, 0])), 'kafkajs CreateTopics')
})

after(async () => {
  await broker?.stop()
  if (workDir) await removeTempDir(workDir)
})

for (const cell of cells) {
  const gap = () => drivers[cell.producer].produceGaps[cell.codec]
  const skip = missingClient(cell.producer) || undefined
  test(`${cell.producer} produces ${cell.codec}`, { skip }, async (context) => {
    const reason = gap()
    if (reason !== undefined) {
      context.skip(reason)
      return
    }
    cell.producedFrom = Date.now()
    const report = await drivers[cell.producer].produce(
      broker.bootstrap,
      cell.topic,
      cell.expected,
      cell.codec,
    )
    cell.producedUntil = Date.now()
    assert.deepEqual(report.errors, [], `${cell.producer} delivery errors`)
    if (cell.producer !== 'kcat') {
      assert.deepEqual(
        report.delivered,
        cell.expected.map((record) => [record.partition, record.offset]),
        'acknowledged partitions and offsets',
      )
    }
    assert.deepEqual(
      await storedCodecs(broker, cell.topic),
      [allCodecs.indexOf(cell.codec)],
      'the codec of every stored batch (bytes in, bytes out)',
    )
    cell.produced = true
  })
}

for (const reader of driverNames) {
  describe(`${reader} reads`, { skip: missingClient(reader) || undefined }, () => {
    let read: Record<string, TestRecord[]> = {}
    let readError: unknown = null

    before(async () => {
      const readable = cells.filter((cell) => cell.produced && readGap(drivers[reader], cell) === undefined)
      const spec = Object.fromEntries(
        readable.map((cell) => [cell.topic, { partitions, count: recordsPerCell }]),
      )
      try {
        read = await drivers[reader].read(broker.bootstrap, spec, 'zero', readTimeoutMs)
      } catch (error) {
        readError = error
      }
    })

    for (const cell of cells) {
      test(`${cell.producer}/${cell.codec}`, (context) => {
        if (!cell.produced) {
          context.skip(`${cell.producer} did not produce ${cell.codec} (see that test)`)
          return
        }
        const gap = readGap(drivers[reader], cell)
        if (gap !== undefined) {
          context.skip(gap)
          return
        }
        if (readError !== null) throw readError
        let records = read[cell.topic] ?? []
        if (cell.producer === 'kcat') records = normalizeKcatTimestamps(cell, records, kcatTimestamps)
        assertSameRecords(records, cell.expected, `${reader} reading ${cell.producer}/${cell.codec}`)
      })
    }
  })
}

/** The distinct compression codecs of the batches stored in the topic's partitions (a raw Fetch v12). */
async function storedCodecs(broker: BrokerProcess, topic: string): Promise<number[]> {
  const client = await CodecClient.open(broker.host, broker.port)
  const codecs = new Set<number>()
  try {
    for (let partition = 0; partition < partitions; partition++) {
      const response = await client.request(1, 12, fetchRequestBody(topic, partition, 0n))
      const records = response.responses[0].partitions[0].records ?? Buffer.alloc(0)
      for (const batch of splitBatches(records).batches) {
        codecs.add(readBatchHeader(records, batch.position).compression)
      }
    }
  } finally {
    client.close()
  }
  return [...codecs].sort()
}

function readGap(reader: Driver, cell: Cell): string | undefined {
  return reader.readGaps[cell.codec] ?? reader.readGapFor?.(cell.producer, cell.codec)
}

/**
 * kcat stamps records with its own clock: each timestamp must lie in the produce window and equal
 * what earlier readers saw; then it is replaced by the expected one so the rest compares exactly.
 */
function normalizeKcatTimestamps(cell: Cell, records: TestRecord[], seen: Map<string, number>): TestRecord[] {
  const from = (cell.producedFrom ?? 0) - 1000
  const until = (cell.producedUntil ?? 0) + 1000
  const expectedByKey = new Map(cell.expected.map((record) => [record.key, record.timestamp]))
  return records.map((record) => {
    const id = `${cell.topic}/${record.key}`
    assert.ok(
      record.timestamp >= from && record.timestamp <= until,
      `${id}: timestamp ${record.timestamp} outside the produce window [${from}, ${until}]`,
    )
    const earlier = seen.get(id)
    if (earlier === undefined) seen.set(id, record.timestamp)
    else assert.equal(record.timestamp, earlier, `${id}: readers disagree on the timestamp`)
    return { ...record, timestamp: expectedByKey.get(record.key) ?? -1 }
  })
}
