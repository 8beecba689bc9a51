// Goal: the console produces through the schema registry (a schema picked by subject and version, the
// value serialized in Confluent's wire format) so that a real Confluent deserializer reads it, refuses a
// value that does not fit the schema without writing anything, and its live tail decodes wire-format
// records through the registry.
// Method: one broker process with its schema registry (no Connect) and Debian's Chromium driven by
// playwright-core. Schemas are registered on the registry's own port; the page produces Avro and JSON
// Schema values; kafkajs reads the raw bytes and @kafkajs/confluent-schema-registry decodes them (and
// checks the schema id in the header). For the tail, @kafkajs/confluent-schema-registry encodes a record
// that kafkajs sends while the tail is open; the test waits for the decoded value on the page.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel } from 'kafkajs'
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

const paymentV1 = {
  type: 'record',
  name: 'Payment',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
}
const paymentV2 = {
  ...paymentV1,
  fields: [...paymentV1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
}
const eventJsonSchema = {
  title: 'Event',
  type: 'object',
  properties: { kind: { type: 'string' }, count: { type: 'integer' } },
  required: ['kind'],
}

/** Only responses a step provokes on purpose (`statuses`) may show as failed requests. */
function unexpected(problems: string[], statuses: number[]): string[] {
  return problems.filter((problem) => !statuses.some((status) => problem.includes(`status of ${status}`)))
}

describe('producing through the schema registry and the decoding live tail in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let registry: SchemaRegistry
  let chromium: ConsoleBrowser
  let kafka: Kafka

  before(async () => {
    ensureConsoleBuilt()
    broker = await startBrokerProcess({ args: ['--groups-initial-rebalance-delay-ms', '0', '--no-connect'] })
    base = httpBaseOf(broker)
    assert.ok(broker.registryUrl)
    registry = new SchemaRegistry({ host: broker.registryUrl })
    chromium = await launchChromium()
    kafka = new Kafka({ clientId: 'console-schema', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  /** The raw values of `topic` partition 0 as kafkajs reads them, `count` of them. */
  async function rawValues(topic: string, count: number): Promise<Buffer[]> {
    const consumer = kafka.consumer({ groupId: `raw-${topic}-${Date.now()}`, heartbeatInterval: 500 })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const values: Buffer[] = []
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value !== null) values.push(message.value)
            if (values.length === count) resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    return values
  }

  test('produces Avro and JSON Schema values a Confluent deserializer reads, and refuses a misfit', async () => {
    const v1 = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(paymentV1) },
      { subject: 'payments-value' },
    )
    const v2 = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(paymentV2) },
      { subject: 'payments-value' },
    )
    const json = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(eventJsonSchema) },
      { subject: 'events-value' },
    )
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] })
    await admin.disconnect()

    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics/payments/messages`)
    await page.getByText('No messages.').waitFor()
    await page.getByRole('button', { name: 'Produce a message' }).click()
    const form = page.getByRole('form', { name: 'Produce a message' })
    await form.getByLabel('Serialize the value with a registry schema').check()
    const subject = form.getByRole('combobox', { name: /^Schema subject/ })
    await subject.locator('option', { hasText: 'payments-value' }).waitFor({ state: 'attached' })
    await subject.selectOption('payments-value')
    const version = form.getByRole('combobox', { name: /^Schema version/ })
    await version.locator('option', { hasText: '1' }).waitFor({ state: 'attached' })
    await version.selectOption('1')
    await form.getByLabel('Key', { exact: true }).fill('p-1')
    await form.getByLabel('Value (JSON)').fill('{"id": "p-1", "amount": 12.5}')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form.getByRole('status').filter({ hasText: 'Written to partition 0 at offset 0' }).waitFor()
    // The latest version (v2, with its default) for the next one.
    await version.selectOption('')
    await form.getByLabel('Value (JSON)').fill('{"id": "p-2", "amount": 3, "currency": "CHF"}')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form.getByRole('status').filter({ hasText: 'Written to partition 0 at offset 1' }).waitFor()
    // A value that does not fit the schema: the broker's 400 is shown and nothing is written.
    await form.getByLabel('Value (JSON)').fill('{"id": "p-3", "amount": "a lot"}')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form
      .getByRole('alert')
      .filter({ hasText: `INVALID_REQUEST: value does not fit schema ${v2.id}` })
      .waitFor()
    // Not JSON at all: refused in the page.
    await form.getByLabel('Value (JSON)').fill('{"id": ')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form.getByRole('alert').filter({ hasText: 'the value is not JSON' }).waitFor()
    // JSON Schema.
    await subject.selectOption('events-value')
    await form.getByLabel('Value (JSON)').fill('{"kind": "click", "count": 2}')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form.getByRole('status').filter({ hasText: 'Written to partition 0 at offset 2' }).waitFor()
    await screenshot('produce-with-schema')

    const values = await rawValues('payments', 3)
    assert.deepEqual(
      values.map((value) => [value[0], value.readInt32BE(1)]),
      [
        [0, v1.id],
        [0, v2.id],
        [0, json.id],
      ],
    )
    assert.deepEqual({ ...(await registry.decode(values[0])) }, { id: 'p-1', amount: 12.5 })
    assert.deepEqual({ ...(await registry.decode(values[1])) }, { id: 'p-2', amount: 3, currency: 'CHF' })
    assert.deepEqual(await registry.decode(values[2]), { kind: 'click', count: 2 })
    const offsets = await (await fetch(`${base}/api/v1/topics/payments`)).json()
    assert.equal(
      (offsets as { partitionDetails: Array<{ highWatermark: number }> }).partitionDetails[0].highWatermark,
      3,
    )
    assert.deepEqual(unexpected(problems, [400]), [])
    await page.context().close()
  })

  test('the produce API refuses an unregistered schema id and keeps serving', async () => {
    const response = await fetch(`${base}/api/v1/topics/payments/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ valueSchemaId: 999_999, messages: [{ value: { id: 'x' } }] }),
    })
    assert.equal(response.status, 400)
    assert.deepEqual(await response.json(), {
      code: 'INVALID_REQUEST',
      message: 'value: schema id 999999 is not registered',
    })
    assert.equal((await fetch(`${base}/api/v1/topics/payments`)).status, 200)
  })

  test('the live tail decodes wire-format records through the registry', async () => {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(paymentV1) },
      { subject: 'tailed-value' },
    )
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'tailed', numPartitions: 1 }] })
    await admin.disconnect()
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics/tailed/messages?decode=registry`)
    await page.getByText('No messages.').waitFor()
    await page.getByRole('button', { name: 'Live tail' }).click()
    const tail = page.getByRole('region', { name: 'Live tail' })
    await tail.getByText('live', { exact: true }).waitFor()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'tailed',
      messages: [{ key: 't-1', value: await registry.encode(id, { id: 't-1', amount: 7.25 }) }],
    })
    await producer.disconnect()
    const table = tail.getByRole('table', { name: 'New messages' })
    await table.getByText(`schema ${id} · AVRO · shop.Payment`).waitFor()
    const row = await table.locator('tbody tr').first().innerText()
    assert.match(row, /"id": "t-1"/)
    assert.match(row, /"amount": 7\.25/)
    await screenshot('messages-tail-decoded')
    assert.deepEqual(problems, [])
    await page.context().close()
  })
})
