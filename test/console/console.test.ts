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
import {
  accessibilityViolations,
  type ConsoleBrowser,
  ensureConsoleBuilt,
  httpBaseOf,
  launchChromium,
  openPage,
  requireChromium,
  waitForCount,
} from './browser.ts'

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
    ensureConsoleBuilt()
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
    await page.getByRole('img', { name: 'Request latency (ms) chart' }).waitFor()
    assert.equal(await page.title(), 'Overview · Streamline')
    // The platform's services run in the broker process, so their pages are offered.
    for (const name of ['Schemas', 'Connectors', 'SQL'])
      await page.getByRole('link', { name, exact: true }).waitFor()
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
    await form.getByLabel('Value', { exact: true }).fill('3600000')
    await form.getByRole('button', { name: 'Create' }).click()
    await page.waitForURL(`${base}/topics/console-orders`)
    await page.getByRole('heading', { name: 'console-orders' }).waitFor()
    await waitForCount(
      page.getByRole('table', { name: 'Partitions of console-orders' }).locator('tbody tr'),
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
    await page.getByRole('link', { name: 'Configs', exact: true }).click()
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

  test('produces, finds a record by a header value, tails live and downloads', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'console-events', numPartitions: 2 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'console-events',
      messages: Array.from({ length: 30 }, (_, index) => ({
        partition: index % 2,
        key: `key-${index}`,
        value: JSON.stringify({ n: index }),
        headers: { 'trace-id': `trace-${index}` },
      })),
    })
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics/console-events/messages`)
    await page.getByRole('table', { name: 'Messages of console-events' }).waitFor()
    assert.equal(
      await page.getByRole('table', { name: 'Messages of console-events' }).locator('tbody tr').count(),
      30,
    )
    // Produce one record from the page, with a header, to partition 1.
    await page.getByRole('button', { name: 'Produce a message' }).click()
    const form = page.getByRole('form', { name: 'Produce a message' })
    await form.getByLabel('Key', { exact: true }).fill('from-console')
    await form.getByLabel(/^Partition/).selectOption('1')
    await form.getByLabel('Value', { exact: true }).fill('{"hello":"console"}')
    await form.getByLabel('Headers').fill('trace-id: needle-42\nsource: browser')
    await form.getByRole('button', { name: 'Produce' }).click()
    await form.getByRole('status').filter({ hasText: 'Written to partition 1 at offset 15' }).waitFor()
    // Search by the header value: the server filters, one row comes back.
    await page.getByLabel('Search key, value and headers').fill('needle-42')
    await page.getByRole('button', { name: 'Show messages' }).click()
    await page.waitForURL(/q=needle-42/)
    const table = page.getByRole('table', { name: 'Messages of console-events' })
    await waitForCount(table.locator('tbody tr'), 1)
    const row = await table.locator('tbody tr').first().innerText()
    assert.match(row, /from-console/)
    assert.match(row, /"hello": "console"/)
    assert.match(row, /source: browser/)
    // A regex search over values, then the hex view.
    await page.goto(
      `${base}/topics/console-events/messages?partition=0&from=oldest&q=%22n%22%3A%20%3F(2%7C4)%5Cb&mode=regex&view=hex`,
    )
    await waitForCount(table.locator('tbody tr'), 2)
    assert.match(await table.locator('tbody tr').first().innerText(), /7b 22 6e 22 3a 32 7d/)
    await screenshot('messages-search')
    // Live tail: a record produced by kafkajs appears without reloading.
    await page.goto(`${base}/topics/console-events/messages`)
    await page.getByRole('button', { name: 'Live tail' }).click()
    const tail = page.getByRole('region', { name: 'Live tail' })
    await tail.getByText('live', { exact: true }).waitFor()
    await producer.send({
      topic: 'console-events',
      messages: [{ partition: 0, key: 'tailed', value: 'live!' }],
    })
    await tail.getByRole('table', { name: 'New messages' }).getByText('live!').waitFor()
    await screenshot('messages-tail')
    // Download the page as JSON lines.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSON lines' }).click(),
    ])
    const lines = (await streamText(await download.createReadStream())).trim().split('\n')
    assert.ok(lines.length >= 31, `${lines.length} lines`)
    const produced = lines.map((line) => JSON.parse(line) as { key: string; headers: Record<string, string> })
    assert.deepEqual(produced.find((record) => record.key === 'from-console')?.headers, {
      'trace-id': 'needle-42',
      source: 'browser',
    })
    await producer.disconnect()
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('resets an empty group with a preview, and a kafkajs consumer resumes there', async () => {
    const topic = 'console-resume'
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, index) => ({ value: `record-${index}` })),
    })
    await producer.disconnect()
    const firstOffsetSeen = async (): Promise<{ first: number; count: number }> => {
      const consumer = kafka.consumer({
        groupId: 'console-group',
        sessionTimeout: 6000,
        heartbeatInterval: 500,
      })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      const seen: number[] = []
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              seen.push(Number(message.offset))
              if (Number(message.offset) === 9) resolve()
            },
          })
          .catch(reject)
      })
      await consumer.disconnect()
      return { first: seen[0], count: seen.length }
    }
    assert.deepEqual(await firstOffsetSeen(), { first: 0, count: 10 })
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/groups`)
    await page.getByRole('link', { name: 'console-group' }).click()
    await page.waitForURL(`${base}/groups/console-group`)
    await page.getByTestId('group-state').filter({ hasText: 'Empty' }).waitFor()
    const reset = page.getByRole('region', { name: 'Reset offsets' })
    await reset.getByLabel('Topic').fill(topic)
    await reset.getByLabel('Reset to').selectOption('offset')
    await reset.getByLabel('Offset', { exact: true }).fill('3')
    await reset.getByRole('button', { name: 'Preview' }).click()
    const preview = reset.getByRole('table', { name: 'Preview (nothing changed yet)' })
    await preview.waitFor()
    assert.equal(await preview.locator('tbody tr').first().innerText(), '0\t10\t3')
    // The preview changed nothing.
    const before = await getJson<{ offsets: Array<{ committedOffset: number }> }>(
      `${base}/api/v1/groups/console-group`,
    )
    assert.equal(before.offsets[0].committedOffset, 10)
    await reset.getByRole('button', { name: 'Apply reset' }).click()
    await reset.getByRole('status').filter({ hasText: 'Offsets reset' }).waitFor()
    await page.getByRole('cell', { name: '7' }).last().waitFor() // lag 10 - 3
    await screenshot('group-detail')
    assert.deepEqual(await firstOffsetSeen(), { first: 3, count: 7 })
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('creates and deletes an ACL, a SCRAM user and a client quota', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/security`)
    const form = page.getByRole('form', { name: 'Create ACL' })
    await form.getByLabel('Resource type').selectOption('TOPIC')
    await form.getByLabel('Resource name').fill('payments')
    await form.getByLabel('Pattern').selectOption('PREFIXED')
    await form.getByLabel('Principal').fill('User:alice')
    await form.getByLabel('Operation').selectOption('WRITE')
    await form.getByRole('button', { name: 'Create ACL' }).click()
    const deleteButton = page.getByRole('button', {
      name: 'Delete ACL ALLOW WRITE on TOPIC payments for User:alice',
    })
    await deleteButton.waitFor()
    const acls = await getJson<{ acls: unknown[] }>(`${base}/api/v1/acls`)
    assert.deepEqual(acls.acls, [
      {
        resourceType: 'TOPIC',
        resourceName: 'payments',
        patternType: 'PREFIXED',
        principal: 'User:alice',
        host: '*',
        operation: 'WRITE',
        permissionType: 'ALLOW',
      },
    ])
    const users = page.getByRole('form', { name: 'Create user or change password' })
    await users.getByLabel('User', { exact: true }).fill('alice')
    await users.getByLabel('Password').fill('alice-secret')
    await users.getByRole('button', { name: 'Set password' }).click()
    await page.getByRole('button', { name: 'Delete user alice' }).waitFor()
    const quota = page.getByRole('form', { name: 'Set a client quota' })
    await quota.getByLabel('User', { exact: true }).fill('alice')
    await quota.getByLabel(/^Quota/).selectOption('consumer_byte_rate')
    await quota.getByLabel('Value', { exact: true }).fill('2048')
    await quota.getByRole('button', { name: 'Set quota' }).click()
    const removeQuota = page.getByRole('button', { name: 'Remove consumer_byte_rate of user alice' })
    await removeQuota.waitFor()
    assert.deepEqual((await getJson<{ quotas: unknown[] }>(`${base}/api/v1/quotas`)).quotas, [
      { entity: { user: 'alice' }, values: { consumer_byte_rate: 2048 } },
    ])
    await screenshot('security')
    await removeQuota.click()
    await removeQuota.waitFor({ state: 'detached' })
    assert.deepEqual((await getJson<{ quotas: unknown[] }>(`${base}/api/v1/quotas`)).quotas, [])
    await deleteButton.click()
    await deleteButton.waitFor({ state: 'detached' })
    assert.deepEqual((await getJson<{ acls: unknown[] }>(`${base}/api/v1/acls`)).acls, [])
    await page.getByRole('button', { name: 'Delete user alice' }).click()
    await page.getByRole('button', { name: 'Delete user alice' }).waitFor({ state: 'detached' })
    assert.deepEqual((await getJson<{ users: unknown[] }>(`${base}/api/v1/users`)).users, [])
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test("lists broker configs with their sources and changes a dynamic one, showing Kafka's errors", async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/broker-configs`)
    const table = page.getByRole('table', { name: 'Configs of broker 0' })
    const row = (name: string) =>
      table.locator('tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) })
    await row('message.max.bytes').getByRole('cell', { name: 'DEFAULT_CONFIG', exact: true }).waitFor()
    assert.equal(await row('message.max.bytes').locator('td').first().textContent(), '1048588')
    assert.equal(await row('node.id').getByRole('cell', { name: 'read-only' }).count(), 1)
    assert.equal(await row('node.id').getByRole('form').count(), 0)
    await page.getByLabel('Search').fill('log.retention')
    await page.waitForURL(`${base}/broker-configs?q=log.retention`)
    await row('message.max.bytes').waitFor({ state: 'detached' })
    const retention = row('log.retention.ms')
    // Kafka's message for a value that is not a long, as IncrementalAlterConfigs answers it.
    await retention.getByLabel('New value of log.retention.ms').fill('soon')
    await retention.getByRole('button', { name: 'Set log.retention.ms' }).click()
    await page
      .getByRole('alert')
      .filter({
        hasText:
          'INVALID_REQUEST: Invalid value soon for configuration log.retention.ms: Not a number of type LONG',
      })
      .waitFor()
    await retention.getByLabel('New value of log.retention.ms').fill('3600000')
    await retention.getByRole('button', { name: 'Set log.retention.ms' }).click()
    await retention.getByRole('cell', { name: 'DYNAMIC_BROKER_CONFIG', exact: true }).waitFor()
    assert.equal(await retention.locator('td').first().textContent(), '3600000')
    const admin = kafka.admin()
    await admin.connect()
    const describe = async () =>
      (
        await admin.describeConfigs({
          resources: [{ type: 4, name: '0', configNames: ['log.retention.ms'] }],
          includeSynonyms: false,
        })
      ).resources[0].configEntries[0]
    assert.equal((await describe()).configValue, '3600000')
    await screenshot('broker-configs')
    await retention.getByRole('button', { name: 'Reset log.retention.ms' }).click()
    await retention.getByRole('button', { name: 'Reset log.retention.ms' }).waitFor({ state: 'detached' })
    assert.notEqual(await retention.locator('td').nth(1).textContent(), 'DYNAMIC_BROKER_CONFIG')
    assert.notEqual((await describe()).configValue, '3600000')
    await admin.disconnect()
    // The cluster-wide default: set one from the form; it is listed there and on this broker.
    await page.getByRole('link', { name: 'Cluster-wide defaults' }).click()
    await page.waitForURL(`${base}/broker-configs?scope=cluster`)
    const form = page.getByRole('form', { name: 'Set a dynamic config' })
    await form.getByLabel('Config').fill('log.cleaner.threads')
    await form.getByLabel('Value').fill('2')
    await form.getByRole('button', { name: 'Set for the cluster' }).click()
    const clusterTable = page.getByRole('table', { name: 'Configs of the cluster-wide default' })
    await clusterTable
      .locator('tbody tr', { has: page.getByRole('rowheader', { name: 'log.cleaner.threads' }) })
      .getByRole('cell', { name: 'DYNAMIC_DEFAULT_BROKER_CONFIG', exact: true })
      .waitFor()
    const clusterConfigs = await getJson<{ configs: Array<{ name: string; value: string }> }>(
      `${base}/api/v1/broker-configs?scope=cluster`,
    )
    assert.deepEqual(
      clusterConfigs.configs.map(({ name, value }) => ({ name, value })),
      [{ name: 'log.cleaner.threads', value: '2' }],
    )
    // The one refused change is the only failed request.
    assert.deepEqual(problems, [
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ])
    await page.context().close()
  })

  test('every page passes axe-core (WCAG 2.1 A/AA) in light and dark themes, and is keyboard reachable', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems, screenshot } = await openPage(chromium.browser, {
        colorScheme,
        bypassCsp: true,
      })
      for (const path of [
        '/',
        '/topics',
        '/topics/console-events',
        '/topics/console-events/configs',
        '/topics/console-events/messages',
        '/groups',
        '/groups/console-group',
        '/security',
        '/broker-configs',
        '/broker-configs?scope=cluster',
        '/no-such-page',
      ]) {
        await page.goto(`${base}${path}`)
        await page.locator('main h1').first().waitFor()
        await page.waitForLoadState('networkidle')
        if (colorScheme === 'dark' && path === '/topics/console-events/messages')
          await screenshot('messages-dark')
        assert.deepEqual(await accessibilityViolations(page), [], `${colorScheme} ${path}`)
      }
      assert.deepEqual(problems, [])
      await page.context().close()
    }
    // Keyboard: the skip link comes first, then the navigation; Enter follows a link.
    const { page } = await openPage(chromium.browser)
    await page.goto(`${base}/`)
    // The app renders after load; pressing Tab before the skip link exists leaves focus on <body>.
    await page.locator('main h1').first().waitFor()
    await page.getByRole('link', { name: 'Skip to content' }).waitFor({ state: 'attached' })
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Topics')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/topics`)
    await page.context().close()
  })
})

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
