// The round trip behind round-trip-<client>.test.ts: one client creates a 6-partition topic,
// produces 10,000 keyed records (headers and explicit timestamps where the client can set them) with
// acks=all, then reads them back from the start of the log; the records read must equal those produced exactly
// (key, value, headers in order, timestamp, partition, offset) and arrive in offset order per partition.
import assert from 'node:assert/strict'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { assertSameRecords, makeRecords, type TestRecord } from '../../helpers/data-path-records.ts'
import { type DriverName, kcatRecordHeaders, makeDrivers } from './drivers.ts'

export const roundTripCount = 10_000
export const roundTripPartitions = 6
const readTimeoutMs = 45_000

export async function runRoundTrip(name: DriverName): Promise<void> {
  const workDir = await makeTempDir('streamline-round-trip-')
  let broker: BrokerProcess | undefined
  try {
    broker = await startBrokerProcess()
    const drivers = makeDrivers(workDir)
    const driver = drivers[name]
    const topic = `round-trip-${name}`
    // kcat has no admin API: kafkajs's admin creates its topic (CreateTopics either way).
    const admin = driver.createTopics ? driver : drivers.kafkajs
    const created = await admin.createTopics?.(broker.bootstrap, [
      { name: topic, partitions: roundTripPartitions },
    ])
    assert.deepEqual(created, { [topic]: 0 }, `${admin.name} CreateTopics`)

    let expected = makeRecords({ count: roundTripCount, partitions: roundTripPartitions, source: name })
    if (name === 'kcat') {
      expected = expected.map((record) => ({ ...record, headers: kcatRecordHeaders(record.partition) }))
    }
    const producedFrom = Date.now()
    const report = await driver.produce(broker.bootstrap, topic, expected, 'none')
    const producedUntil = Date.now()
    assert.deepEqual(report.errors, [], `${name} delivery errors`)
    const acknowledged = report.delivered.filter((entry) => entry !== null).length
    if (name !== 'kcat') {
      assert.equal(acknowledged, roundTripCount, `${name} acknowledged ${acknowledged} of ${roundTripCount}`)
      report.delivered.forEach((entry, index) => {
        assert.deepEqual(
          entry,
          [expected[index].partition, expected[index].offset],
          `record ${index} acknowledged at`,
        )
      })
    }

    const read = await driver.read(
      broker.bootstrap,
      { [topic]: { partitions: roundTripPartitions, count: roundTripCount } },
      'zero',
      readTimeoutMs,
    )
    let records: TestRecord[] = read[topic] ?? []
    if (name === 'kcat') {
      // kcat -P stamps records with the producer's clock: check the window, then compare the rest exactly.
      for (const record of records) {
        assert.ok(
          record.timestamp >= producedFrom - 1000 && record.timestamp <= producedUntil + 1000,
          `kcat record ${JSON.stringify(record)} has a timestamp outside the produce run [${producedFrom}, ${producedUntil}]`,
        )
      }
      const byKey = new Map(expected.map((record) => [record.key, record.timestamp]))
      records = records.map((record) => ({ ...record, timestamp: byKey.get(record.key) ?? -1 }))
    }
    assertSameRecords(records, expected, `${name} round trip`)
  } catch (error) {
    if (broker) (error as Error).message += `\n--- broker output (tail) ---\n${broker.output().slice(-4000)}`
    throw error
  } finally {
    await broker?.stop()
    await removeTempDir(workDir)
  }
}
