// Goal: a consumer group's page charts its lag over time: the lag rises after produces and falls after
// the group consumes.
// Method: one broker process (no wait before a group's first rebalance) and Debian's Chromium driven by
// playwright-core; kafkajs produces and a kafkajs group consumes and commits while the group page is
// open; the test waits for the chart's summary line to show each exact state (lag now / highest).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import {
  accessibilityViolations,
  type ConsoleBrowser,
  ensureConsoleBuilt,
  httpBaseOf,
  launchChromium,
  openPage,
  requireChromium,
} from './browser.ts'

const skip = requireChromium()

describe('group lag over time in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let chromium: ConsoleBrowser
  let kafka: Kafka

  before(async () => {
    ensureConsoleBuilt()
    broker = await startBrokerProcess({
      args: ['--groups-initial-rebalance-delay-ms', '0', '--no-registry', '--no-connect'],
    })
    base = httpBaseOf(broker)
    chromium = await launchChromium()
    kafka = new Kafka({ clientId: 'console-lag', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  test('the group page charts lag rising after produces and falling after consumption', async () => {
    const topic = 'lag-topic'
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    const send = (count: number) =>
      producer.send({
        topic,
        messages: Array.from({ length: count }, (_, index) => ({ value: `v${index}` })),
      })
    /** Consumes as group lag-group until the record at `lastOffset`, then commits and leaves. */
    const consumeThrough = async (lastOffset: number) => {
      const consumer = kafka.consumer({ groupId: 'lag-group', heartbeatInterval: 500 })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              if (Number(message.offset) === lastOffset) resolve()
            },
          })
          .catch(reject)
      })
      await consumer.disconnect()
    }
    await send(5)
    await consumeThrough(4)
    const { page, problems, screenshot } = await openPage(chromium.browser, { bypassCsp: true })
    await page.goto(`${base}/groups/lag-group`)
    const summary = page.getByTestId('lag-summary')
    await summary.filter({ hasText: /^Lag now 0, highest 0 over \d+ samples$/ }).waitFor()
    await page.getByRole('img', { name: 'Lag over time (records) chart' }).waitFor()
    await send(40)
    await summary
      .filter({ hasText: /^Lag now 40, highest 40 over \d+ samples$/ })
      .waitFor({ timeout: 15_000 })
    await consumeThrough(44)
    await summary.filter({ hasText: /^Lag now 0, highest 40 over \d+ samples$/ }).waitFor({ timeout: 15_000 })
    await screenshot('group-lag')
    assert.deepEqual(await accessibilityViolations(page), [])
    await producer.disconnect()
    assert.deepEqual(problems, [])
    await page.context().close()
  })
})
