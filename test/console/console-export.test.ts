// Goal: the message browser exports a range of messages to a file and imports it into another topic
// byte for byte (keys, values, headers with repeated names, timestamps, partitions).
// Method: one broker process and Debian's Chromium driven by playwright-core. kafkajs writes binary
// records (every byte value, null keys and values, an empty value, repeated header names) with set
// timestamps; the page exports offsets 2..7 of both partitions and a time range of one partition;
// the file is imported into a second topic from the page, and a kafkajs consumer reads both topics and
// compares every field byte for byte.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { type IHeaders, Kafka, type KafkaMessage, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import {
  type ConsoleBrowser,
  ensureConsoleBuilt,
  httpBaseOf,
  launchChromium,
  openPage,
  requireChromium,
} from './browser.ts'

const skip = requireChromium()

const baseTimestamp = 1_700_000_000_000
const perPartition = 10

/** The record kafkajs writes at `index` of `partition`: binary, nulls, empties and repeated headers. */
function sourceRecord(partition: number, index: number) {
  const every = Buffer.from(Array.from({ length: 256 }, (_, byte) => (byte + index) % 256))
  return {
    partition,
    key: index % 4 === 0 ? null : Buffer.from([0, partition, index, 0xff, 0x80]),
    value: index === 3 ? null : index === 5 ? Buffer.alloc(0) : every,
    timestamp: String(baseTimestamp + (partition * perPartition + index) * 1000),
    headers: {
      trace: [Buffer.from([0xde, 0xad, index]), Buffer.from('second')],
      text: `héllo-${index}`,
    } as IHeaders,
  }
}

interface Seen {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  headers: IHeaders | undefined
}

function seenOf(message: KafkaMessage): Seen {
  return { key: message.key, value: message.value, timestamp: message.timestamp, headers: message.headers }
}

describe('message export and import in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let chromium: ConsoleBrowser
  let kafka: Kafka

  before(async () => {
    ensureConsoleBuilt()
    // No waiting for more members before a group's first rebalance: each kafkajs group joins at once.
    broker = await startBrokerProcess({
      args: ['--groups-initial-rebalance-delay-ms', '0', '--no-registry', '--no-connect'],
    })
    base = httpBaseOf(broker)
    chromium = await launchChromium()
    kafka = new Kafka({ clientId: 'console-data', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  /** Every record of `topics` as kafkajs reads them: topic → partition → offset order. */
  async function readAll(topics: Record<string, number>): Promise<Map<string, Seen[][]>> {
    const consumer = kafka.consumer({ groupId: `reader-${Date.now()}`, heartbeatInterval: 500 })
    await consumer.connect()
    const seen = new Map<string, Seen[][]>()
    let remaining = 0
    for (const [topic, count] of Object.entries(topics)) {
      await consumer.subscribe({ topic, fromBeginning: true })
      seen.set(topic, [[], []])
      remaining += count
    }
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            seen.get(topic)?.[partition].push(seenOf(message))
            remaining -= 1
            if (remaining === 0) resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    return seen
  }

  test('exports a range to a file and imports it into another topic byte for byte', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'export-source', numPartitions: 2 },
        { topic: 'export-target', numPartitions: 2 },
      ],
    })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    for (const partition of [0, 1]) {
      await producer.send({
        topic: 'export-source',
        messages: Array.from({ length: perPartition }, (_, index) => sourceRecord(partition, index)),
      })
    }
    await producer.disconnect()

    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics/export-source/messages`)
    await page.getByRole('table', { name: 'Messages of export-source' }).waitFor()
    await page.getByRole('button', { name: 'Export a range' }).click()
    const exportForm = page.getByRole('form', { name: 'Export a range' })
    await exportForm.getByRole('combobox', { name: /^From/ }).selectOption('offset')
    await exportForm.getByLabel('From offset').fill('2')
    await exportForm.getByRole('combobox', { name: /^Up to \(excluded\)/ }).selectOption('offset')
    await exportForm.getByLabel('Up to (excluded) offset').fill('8')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportForm.getByRole('button', { name: 'Export' }).click(),
    ])
    await exportForm.getByRole('status').filter({ hasText: 'Exported 12 records' }).waitFor()
    assert.equal(download.suggestedFilename(), 'export-source-export.jsonl')
    const file = await download.path()
    const lines = (await readFile(file, 'utf8')).trim().split('\n')
    const exported = lines.map(
      (line) => JSON.parse(line) as { partition: number; offset: number; value: string | null },
    )
    assert.deepEqual(
      exported.map((record) => `${record.partition}:${record.offset}`),
      ['0:2', '0:3', '0:4', '0:5', '0:6', '0:7', '1:2', '1:3', '1:4', '1:5', '1:6', '1:7'],
    )
    assert.equal(exported[1].value, null)
    assert.equal(exported[3].value, '')

    // A time range of partition 1: the records written at its 4th..6th second (offsets 3, 4, 5).
    // datetime-local fields take the browser's local time.
    const localTime = async (ms: number): Promise<string> => {
      const offsetMinutes = Number(await page.evaluate(`new Date(${ms}).getTimezoneOffset()`))
      return new Date(ms - offsetMinutes * 60_000).toISOString().slice(0, 19)
    }
    await exportForm.getByRole('combobox', { name: /^Partition/ }).selectOption('1')
    await exportForm.getByRole('combobox', { name: /^From/ }).selectOption('timestamp')
    await exportForm.getByLabel('From time').fill(await localTime(baseTimestamp + (perPartition + 3) * 1000))
    await exportForm.getByRole('combobox', { name: /^Up to \(excluded\)/ }).selectOption('timestamp')
    await exportForm
      .getByLabel('Up to (excluded) time')
      .fill(await localTime(baseTimestamp + (perPartition + 6) * 1000))
    const [timeDownload] = await Promise.all([
      page.waitForEvent('download'),
      exportForm.getByRole('button', { name: 'Export' }).click(),
    ])
    await exportForm.getByRole('status').filter({ hasText: 'Exported 3 records' }).waitFor()
    const timeRange = (await readFile(await timeDownload.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { partition: number; offset: number; timestamp: number })
    assert.deepEqual(
      timeRange.map((record) => [record.partition, record.offset, record.timestamp]),
      [3, 4, 5].map((offset) => [1, offset, baseTimestamp + (perPartition + offset) * 1000]),
    )
    await screenshot('messages-export')

    // Import: first a file that is not an export (nothing is written), then the export.
    await page.goto(`${base}/topics/export-target/messages`)
    await page.getByText('No messages.').waitFor()
    await page.getByRole('button', { name: 'Import messages' }).click()
    const importForm = page.getByRole('form', { name: 'Import messages' })
    await importForm.getByLabel('Export file (JSON lines)').setInputFiles({
      name: 'broken.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(`${lines[0]}\n{"partition": 0, "timestamp": "soon"}\n`),
    })
    await importForm.getByRole('button', { name: 'Import' }).click()
    await importForm
      .getByRole('alert')
      .filter({ hasText: 'line 2 is not an exported record (partition, timestamp, key, value, headers)' })
      .waitFor()
    await importForm.getByLabel('Export file (JSON lines)').setInputFiles(file)
    await importForm.getByRole('button', { name: 'Import' }).click()
    await importForm
      .getByRole('status')
      .filter({ hasText: 'Imported 12 records into export-target' })
      .waitFor()
    await screenshot('messages-import')

    const seen = await readAll({ 'export-source': 2 * perPartition, 'export-target': 12 })
    for (const partition of [0, 1]) {
      const source = seen.get('export-source')?.[partition].slice(2, 8)
      const target = seen.get('export-target')?.[partition]
      assert.equal(target?.length, 6)
      assert.deepEqual(target, source)
    }
    // And what kafkajs read is what it wrote (repeated header names in order, binary header values).
    assert.deepEqual(seen.get('export-target')?.[1][0], {
      key: Buffer.from([0, 1, 2, 0xff, 0x80]),
      value: Buffer.from(Array.from({ length: 256 }, (_, byte) => (byte + 2) % 256)),
      timestamp: String(baseTimestamp + (perPartition + 2) * 1000),
      headers: { trace: [Buffer.from([0xde, 0xad, 2]), Buffer.from('second')], text: Buffer.from('héllo-2') },
    })
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('the produce API refuses malformed headers and keeps serving', async () => {
    const produce = (body: unknown) =>
      fetch(`${base}/api/v1/topics/export-target/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const badHeaders = await produce({ messages: [{ value: 'x', headers: [{ value: 'no key' }] }] })
    assert.equal(badHeaders.status, 400)
    const badNumber = await produce({ messages: [{ value: 'x', headers: { a: { nested: 1 } } }] })
    assert.equal(badNumber.status, 400)
    const ok = await produce({
      headerEncoding: 'base64',
      messages: [
        { partition: 0, value: 'x', headers: [{ key: 'b', value: Buffer.from([0, 1]).toString('base64') }] },
      ],
    })
    assert.equal(ok.status, 200)
    assert.deepEqual(await ok.json(), { topic: 'export-target', offsets: [{ partition: 0, offset: 6 }] })
  })
})
