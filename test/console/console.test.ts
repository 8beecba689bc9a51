// Goal: the web console works end to end in a real browser against a real broker: every page renders
// what the admin API says, and its actions change the broker as a Kafka client then sees it.
// Method: one broker process (authorizer on, allow-everyone-if-no-acl-found, so kafkajs needs no ACL)
// and Debian's Chromium driven by playwright-core. The tests click and type as a person would, assert
// the page's text, cross-check the broker through the admin API and kafkajs (producer, consumer
// group), assert that the browser console logged no errors, and save a screenshot per page under
// .tmp/console-screenshots/ (gitignored).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type ConsoleBrowser, httpBaseOf, launchChromium, openPage, requireChromium } from './browser.ts'

const skip = requireChromium()

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url)
  assert.equal(response.status, 200, `${url}: ${response.status}`)
  return (await response.json()) as T
}

describe('web console in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let chromium: ConsoleBrowser
  let kafka: Kafka

  before(async () => {
    broker = await startBrokerProcess({
      args: ['--security-authorizer', '--security-allow-everyone-if-no-acl-found'],
    })
    base = httpBaseOf(broker)
    chromium = await launchChromium()
    kafka = new Kafka({ clientId: 'console-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  test('serves the console at / with compression, caching headers and deep links', async () => {
    const index = await fetch(`${base}/`, { headers: { 'accept-encoding': 'br' } })
    assert.equal(index.status, 200)
    assert.equal(index.headers.get('cache-control'), 'no-cache')
    assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    const html = await index.text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    assert.ok(script, html)
    const asset = await fetch(`${base}${script}`, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(asset.status, 200)
    assert.equal(asset.headers.get('content-encoding'), 'gzip')
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    const etag = asset.headers.get('etag') ?? ''
    const again = await fetch(`${base}${script}`, { headers: { 'if-none-match': etag } })
    assert.equal(again.status, 304)
    // A client-side route gets the app; a missing file with an extension is a 404; /api is the API.
    const deep = await fetch(`${base}/topics/orders/messages?partition=0`)
    assert.equal(deep.status, 200)
    assert.match(await deep.text(), /<div id="app">/)
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404)
    assert.equal((await fetch(`${base}/../../package.json`)).status, 404)
    assert.equal((await fetch(`${base}/api/v1/nothing`)).status, 404)
  })

  test('overview shows the cluster and live throughput charts', async () => {
    const cluster = await getJson<{ clusterId: string }>(`${base}/api/v1/cluster`)
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/`)
    await page.getByTestId('cluster-id').filter({ hasText: cluster.clusterId }).waitFor()
    await page.getByRole('img', { name: 'Records per second chart' }).waitFor()
    assert.equal(await page.title(), 'Overview · Streamline')
    // Pages of parts this broker does not serve are not offered.
    assert.equal(await page.getByRole('link', { name: 'SQL' }).count(), 0)
    await page.waitForTimeout(2500) // one more history sample: the charts have data
    await screenshot('overview')
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('creates a topic with a config, lists and edits it', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics`)
    await page.getByRole('button', { name: 'Create topic' }).click()
    const form = page.getByRole('form', { name: 'Create topic' })
    await form.getByLabel('Name').fill('console-orders')
    await form.getByLabel('Partitions').fill('3')
    await form.getByRole('button', { name: 'Add config' }).click()
    await form.getByLabel('Config').selectOption('retention.ms')
    await form.getByLabel('Value').fill('3600000')
    await form.getByRole('button', { name: 'Create' }).click()
    await page.waitForURL(`${base}/topics/console-orders`)
    await page.getByRole('heading', { name: 'console-orders' }).waitFor()
    assert.equal(
      await page.getByRole('table', { name: 'Partitions of console-orders' }).locator('tbody tr').count(),
      3,
    )
    const topic = await getJson<{
      partitions: number
      configs: Array<{ name: string; value: string; isDefault: boolean }>
    }>(`${base}/api/v1/topics/console-orders`)
    assert.equal(topic.partitions, 3)
    assert.deepEqual(
      topic.configs.find((config) => config.name === 'retention.ms'),
      { name: 'retention.ms', value: '3600000', isDefault: false },
    )
    // Edit a config: an invalid value shows the broker's message; a valid one is saved.
    await page.getByRole('link', { name: 'Configs' }).click()
    await page.waitForURL(`${base}/topics/console-orders/configs`)
    await page.getByLabel('cleanup.policy').fill('sometimes')
    await page.getByRole('button', { name: 'Save configs' }).click()
    await page.getByRole('alert').filter({ hasText: 'INVALID_CONFIG' }).waitFor()
    await page.getByLabel('cleanup.policy').fill('compact')
    await page.getByRole('button', { name: 'Save configs' }).click()
    await page.getByRole('status').filter({ hasText: 'Configs saved' }).waitFor()
    const edited = await getJson<{ configs: Array<{ name: string; value: string }> }>(
      `${base}/api/v1/topics/console-orders`,
    )
    assert.equal(edited.configs.find((config) => config.name === 'cleanup.policy')?.value, 'compact')
    assert.equal(edited.configs.find((config) => config.name === 'retention.ms')?.value, '3600000')
    await screenshot('topic-configs')
    // The list finds it by search, and the back button returns to the search.
    await page.goto(`${base}/topics?q=console-ord`)
    await page.getByRole('link', { name: 'console-orders' }).click()
    await page.waitForURL(`${base}/topics/console-orders`)
    await page.goBack()
    await page.waitForURL(`${base}/topics?q=console-ord`)
    assert.equal(await page.getByRole('searchbox', { name: 'Search topics' }).inputValue(), 'console-ord')
    await screenshot('topics')
    // The configs page made one 400 request on purpose; Chromium logs each failed response.
    assert.deepEqual(
      problems.filter((problem) => !problem.includes('status of 400')),
      [],
    )
    await page.context().close()
  })
})
