// Goal: the console's pages for the platform's other services work end to end in a real browser: the
// overview shows their health, the Schemas page registers, checks and diffs schema versions in the
// broker's schema registry, the Connectors page creates, pauses and resumes a real connector of the
// Connect worker, and the SQL workbench runs a query over a topic and shows DuckDB's error for a bad one.
// Method: one broker process with its registry and Connect worker (free ports), Debian's Chromium
// driven by playwright-core. Each step is cross-checked against the service's own REST port (not the
// console's pass-through) or a kafkajs consumer's view; the browser console must log no errors other
// than the failed responses a step provokes on purpose; every page passes axe-core in both themes.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
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

/** The Connect worker's URL from its "connect listening" log line. */
function connectUrlOf(broker: BrokerProcess): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"connect listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error(`no "connect listening" line in the broker output:\n${broker.output()}`)
}

const orderV1 = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
}
const orderV2 = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
}
/** A new field without a default: BACKWARD-incompatible (old records cannot be read with it). */
const orderIncompatible = { ...orderV1, fields: [...orderV1.fields, { name: 'country', type: 'string' }] }

const datagenClass = 'io.confluent.kafka.connect.datagen.DatagenConnector'

/** The orderid of each record of a one-partition topic, in offset order, read by a kafkajs consumer once
 * the topic holds `count` records (bounded wait). Datagen writes JsonConverter's envelope. */
async function orderIds(broker: BrokerProcess, topic: string, count: number): Promise<number[]> {
  const kafka = new Kafka({
    clientId: 'console-connect',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    for (let attempt = 0; ; attempt += 1) {
      const offsets = await admin.fetchTopicOffsets(topic)
      assert.equal(offsets.length, 1)
      if (Number(offsets[0].high) >= count) {
        assert.equal(Number(offsets[0].high), count)
        break
      }
      if (attempt > 150) assert.fail(`${topic} holds ${offsets[0].high} records, not ${count}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } finally {
    await admin.disconnect()
  }
  const consumer = kafka.consumer({ groupId: `read-${topic}-${count}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const ids: Array<{ offset: number; id: number }> = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value?.toString() ?? 'null') as { payload: { orderid: number } }
          ids.push({ offset: Number(message.offset), id: value.payload.orderid })
          if (ids.length === count) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  return ids.sort((a, b) => a.offset - b.offset).map((entry) => entry.id)
}

/** Only responses a step provokes on purpose (`statuses`) may show as failed requests. */
function unexpected(problems: string[], statuses: number[]): string[] {
  return problems.filter((problem) => !statuses.some((status) => problem.includes(`status of ${status}`)))
}

describe('console pages of the schema registry, Connect and SQL in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let registry: string
  let connect: string
  let chromium: ConsoleBrowser

  before(async () => {
    ensureConsoleBuilt()
    broker = await startBrokerProcess()
    base = httpBaseOf(broker)
    assert.ok(broker.registryUrl)
    registry = broker.registryUrl
    connect = connectUrlOf(broker)
    chromium = await launchChromium()
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  test('services: health of the registry, Connect and SQL, and the pass-through keeps their answers', async () => {
    type Services = Record<string, { enabled: boolean; status: string; url: string | null }>
    // Connect answers once its worker has read its config topic: 'down' until then (bounded wait).
    let services = await getJson<Services>(`${base}/api/v1/services`)
    for (let attempt = 0; attempt < 40 && services.connect?.status !== 'up'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      services = await getJson<Services>(`${base}/api/v1/services`)
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(services).map(([name, state]) => [name, [state.status, state.url]])),
      { registry: ['up', registry], connect: ['up', connect], sql: ['up', null] },
    )
    const missing = await fetch(`${base}/api/v1/registry/subjects/nope/versions`)
    assert.equal(missing.status, 404)
    assert.deepEqual(await missing.json(), { error_code: 40401, message: "Subject 'nope' not found." })
    const bad = await fetch(`${base}/api/v1/connect/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    })
    assert.equal(bad.status, 400)
    // The broker keeps serving after the malformed body.
    assert.deepEqual(await getJson(`${base}/api/v1/connect/connectors`), [])
    // The overview shows each service's health.
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/`)
    for (const name of ['Schema registry', 'Connect', 'SQL']) {
      await page.getByTestId(`service-${name}`).filter({ hasText: /^up/ }).waitFor()
    }
    await screenshot('overview-services')
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('schemas: register, check compatibility, refuse an incompatible version, diff two versions', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/schemas`)
    await page.getByRole('button', { name: 'Register schema' }).click()
    const form = page.getByRole('form', { name: 'Register a schema' })
    await form.getByLabel('Subject').fill('orders-value')
    await form.getByLabel('Schema').fill(JSON.stringify(orderV1))
    await form.getByRole('button', { name: 'Register' }).click()
    await page.waitForURL(`${base}/schemas/orders-value`)
    await page.getByRole('link', { name: 'Version 1' }).waitFor()
    assert.deepEqual(await getJson(`${registry}/subjects/orders-value/versions`), [1])
    // A compatible new version: checked, then registered.
    const next = page.getByRole('form', { name: 'Register a schema' })
    await next.getByLabel('Schema').fill(JSON.stringify(orderV2, null, 2))
    await next.getByRole('button', { name: 'Check compatibility' }).click()
    await next
      .getByRole('status')
      .filter({ hasText: /^Compatible$/ })
      .waitFor()
    await next.getByRole('button', { name: 'Register' }).click()
    await page.getByRole('link', { name: 'Version 2' }).waitFor()
    const v2 = await getJson<{ version: number; schema: string }>(
      `${registry}/subjects/orders-value/versions/2`,
    )
    assert.deepEqual(JSON.parse(v2.schema), orderV2)
    // An incompatible one: the check says why, registering is refused with the registry's 409.
    await next.getByLabel('Schema').fill(JSON.stringify(orderIncompatible))
    await next.getByRole('button', { name: 'Check compatibility' }).click()
    await next.getByRole('status').filter({ hasText: 'Not compatible' }).waitFor()
    assert.match(await next.locator('ul.reasons').innerText(), /country/)
    await next.getByRole('button', { name: 'Register' }).click()
    await next.getByRole('alert').filter({ hasText: '40901' }).waitFor()
    assert.deepEqual(await getJson(`${registry}/subjects/orders-value/versions`), [1, 2])
    // Diff version 2 against version 1: the added field is the only change.
    await page.goto(`${base}/schemas/orders-value?version=2`)
    await page.getByLabel('Compare version 2 with').selectOption('1')
    await page.waitForURL(`${base}/schemas/orders-value?version=2&diff=1`)
    const diff = page.getByTestId('diff')
    await diff.waitFor()
    const texts = async (selector: string) =>
      (await diff.locator(selector).allInnerTexts()).map((text) => text.trimEnd())
    assert.deepEqual(await texts('.diff-added'), [
      '+     },',
      '+     {',
      '+       "name": "currency",',
      '+       "type": "string",',
      '+       "default": "EUR"',
    ])
    assert.deepEqual(await texts('.diff-removed'), [])
    await screenshot('schema-diff')
    // The compatibility level of the subject.
    await page.getByRole('combobox', { name: 'Compatibility' }).selectOption('NONE')
    await page.getByRole('button', { name: 'Save level' }).click()
    await page.getByRole('status').filter({ hasText: 'Compatibility set to NONE' }).waitFor()
    assert.deepEqual(await getJson(`${registry}/config/orders-value`), { compatibilityLevel: 'NONE' })
    // The list shows the subject's latest version.
    await page.goto(`${base}/schemas?q=orders`)
    const row = page.getByRole('row').filter({ hasText: 'orders-value' })
    await row.waitFor()
    assert.match(await row.innerText(), /orders-value\s+2\s+AVRO/)
    await screenshot('schemas')
    assert.deepEqual(unexpected(problems, [409]), [])
    await page.context().close()
  })

  test('schemas: a version and a subject deleted softly, then permanently', async () => {
    for (const schema of [orderV1, orderV2]) {
      const registered = await fetch(`${registry}/subjects/gone-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema) }),
      })
      assert.equal(registered.status, 200)
    }
    const { page, problems } = await openPage(chromium.browser)
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${base}/schemas/gone-value?version=1`)
    await page.getByRole('button', { name: 'Delete version 1', exact: true }).click()
    await page.getByRole('link', { name: 'Version 1 (deleted)' }).click()
    await page.getByText('Soft-deleted: only a permanent delete remains.').waitFor()
    assert.deepEqual(await getJson(`${registry}/subjects/gone-value/versions`), [2])
    assert.deepEqual(await getJson(`${registry}/subjects/gone-value/versions?deleted=true`), [1, 2])
    await page.getByRole('button', { name: 'Delete version 1 permanently' }).click()
    await waitForCount(page.getByRole('link', { name: /^Version 1/ }), 0)
    assert.deepEqual(await getJson(`${registry}/subjects/gone-value/versions?deleted=true`), [2])
    // The subject: soft-deleted, listed only with the deleted ones, then deleted permanently.
    await page.getByRole('button', { name: 'Delete subject', exact: true }).click()
    await page.waitForURL(`${base}/schemas`)
    await page.getByRole('link', { name: 'orders-value' }).waitFor()
    assert.equal(await page.getByRole('link', { name: 'gone-value' }).count(), 0)
    await page.getByLabel('Include soft-deleted subjects').check()
    await page.waitForURL(`${base}/schemas?deleted=true`)
    const row = page.getByRole('row').filter({ hasText: 'gone-value' })
    await row.waitFor()
    assert.match(await row.innerText(), /^gone-value \(deleted\)\t/)
    await row.getByRole('link', { name: 'gone-value' }).click()
    await page.getByRole('button', { name: 'Delete subject permanently' }).click()
    await page.waitForURL(`${base}/schemas`)
    assert.deepEqual(await getJson(`${registry}/subjects?deleted=true`), ['orders-value'])
    // The registry answers 404 for the live versions of a soft-deleted subject: the page asks for both.
    assert.deepEqual(unexpected(problems, [404]), [])
    await page.context().close()
  })

  test('connectors: create a datagen connector from its config form, pause and resume it, edit it in the form', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/connectors`)
    await page.getByText('No connectors.').waitFor()
    await page.getByRole('button', { name: 'Create connector' }).click()
    await page.waitForURL(`${base}/connectors?create=1`)
    await page.getByLabel('Connector plugin').selectOption(datagenClass)
    await page.waitForURL(`${base}/connectors?create=1&plugin=${datagenClass}`)
    const form = page.getByRole('form', { name: 'Create a connector' })
    // The form is Connect's config definition of the plugin: its groups (the connector's own keys after
    // Common), required keys, defaults, documentation and recommended values.
    const field = (key: string) => form.locator(`#config-${key.replace(/\./g, '_2e')}`)
    await field('kafka.topic').waitFor()
    assert.deepEqual(await form.locator('summary').allInnerTexts(), [
      'Common',
      'DatagenConnector',
      'Transforms',
      'Predicates',
      'Error Handling',
      'Exactly Once Support',
      'offsets.topic',
      'Other settings',
    ])
    assert.equal(await form.getByLabel('kafka.topic').getAttribute('aria-required'), 'true')
    assert.equal(await form.getByLabel('max.interval').getAttribute('aria-required'), null)
    assert.equal(
      await form.locator('#config-max_2einterval-doc').innerText(),
      'Milliseconds between records. Default: 500',
    )
    assert.deepEqual(await field('quickstart').locator('option').allInnerTexts(), [
      '(not set)',
      'orders',
      'users',
      'pageviews',
    ])
    assert.equal(await field('connector.class').inputValue(), datagenClass)
    // Errors show under a key as the user fills it in: Connect's messages, exactly.
    const errorsOf = (key: string) => form.locator(`#config-${key.replace(/\./g, '_2e')}-errors li`)
    await field('tasks.max').fill('0')
    await errorsOf('tasks.max')
      .filter({ hasText: /^Invalid value 0 for configuration tasks\.max: Value must be at least 1$/ })
      .waitFor()
    await field('max.interval').fill('fast')
    await errorsOf('max.interval')
      .filter({ hasText: /^Invalid value fast for configuration max\.interval: Not a number of type LONG$/ })
      .waitFor()
    assert.equal(await field('max.interval').getAttribute('aria-invalid'), 'true')
    // Keys not touched yet show no error until a submit; a submit shows every error and sends nothing.
    assert.equal(await errorsOf('kafka.topic').count(), 0)
    await form.getByRole('button', { name: 'Create' }).click()
    await form
      .getByRole('alert')
      .filter({ hasText: /^5 settings have errors$/ })
      .waitFor()
    assert.deepEqual(await form.locator('.field-errors li').allInnerTexts(), [
      'Missing required configuration "name" which has no default value.',
      'Invalid value 0 for configuration tasks.max: Value must be at least 1',
      'Missing required configuration "kafka.topic" which has no default value.',
      'Missing required configuration "quickstart" which has no default value.',
      'Invalid value fast for configuration max.interval: Not a number of type LONG',
    ])
    assert.equal(await page.evaluate('document.activeElement?.id'), 'config-name')
    await screenshot('connector-form-errors')
    assert.deepEqual(await getJson(`${connect}/connectors`), [])
    await field('name').fill('orders-gen')
    await field('tasks.max').fill('1')
    await field('kafka.topic').fill('gen-orders')
    await field('quickstart').selectOption('orders')
    await field('max.interval').fill('50')
    await field('iterations').fill('5')
    await waitForCount(form.locator('.field-errors li'), 0)
    await form.getByRole('button', { name: 'Create' }).click()
    await page.waitForURL(`${base}/connectors/orders-gen`)
    assert.deepEqual((await getJson<{ config: object }>(`${connect}/connectors/orders-gen`)).config, {
      'connector.class': datagenClass,
      name: 'orders-gen',
      'tasks.max': '1',
      'kafka.topic': 'gen-orders',
      quickstart: 'orders',
      'max.interval': '50',
      iterations: '5',
    })
    const state = page.getByTestId('connector-state')
    await state.filter({ hasText: 'RUNNING' }).waitFor()
    await page.getByRole('cell', { name: 'RUNNING' }).first().waitFor()
    await screenshot('connector')
    await page.getByRole('button', { name: 'Pause' }).click()
    await state.filter({ hasText: 'PAUSED' }).waitFor({ timeout: 15_000 })
    const paused = await getJson<{ connector: { state: string } }>(`${connect}/connectors/orders-gen/status`)
    assert.equal(paused.connector.state, 'PAUSED')
    await page.getByRole('button', { name: 'Resume' }).click()
    await state.filter({ hasText: 'RUNNING' }).waitFor({ timeout: 15_000 })
    // The connector really produced: a Kafka consumer reads its records.
    assert.deepEqual(await orderIds(broker, 'gen-orders', 5), [0, 1, 2, 3, 4])
    // Editing in the same form: the stored values, an inline error, then a saved change.
    const edit = page.getByRole('form', { name: 'Edit the connector config' })
    const editField = (key: string) => edit.locator(`#config-${key.replace(/\./g, '_2e')}`)
    assert.equal(await editField('kafka.topic').inputValue(), 'gen-orders')
    assert.equal(await editField('name').getAttribute('readonly'), '')
    await editField('max.interval').fill('-5')
    await edit
      .locator('#config-max_2einterval-errors li')
      .filter({ hasText: /^Invalid value -5 for configuration max\.interval: Value must be at least 0$/ })
      .waitFor()
    await editField('max.interval').fill('20')
    await waitForCount(edit.locator('.field-errors li'), 0)
    await edit.getByRole('button', { name: 'Save config' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^Config saved$/ })
      .waitFor()
    const edited = await getJson<Record<string, string>>(`${connect}/connectors/orders-gen/config`)
    assert.equal(edited['max.interval'], '20')
    assert.equal(edited.iterations, '5')
    await page.goto(`${base}/connectors`)
    const row = page.getByRole('row').filter({ hasText: 'orders-gen' })
    await row.waitFor()
    assert.match(
      await row.innerText(),
      /orders-gen\s+source\s+io\.confluent\.kafka\.connect\.datagen\.DatagenConnector\s+RUNNING\s+0: RUNNING/,
    )
    await screenshot('connectors')
    assert.deepEqual(unexpected(problems, []), [])
    await page.context().close()
  })

  test('connectors: offsets shown, changed while stopped (the connector resumes there) and reset', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/connectors/orders-gen`)
    const state = page.getByTestId('connector-state')
    await state.filter({ hasText: 'RUNNING' }).waitFor()
    // The task committed its last record's offset: iteration 4 of 5.
    await page
      .getByTestId('connector-offset')
      .filter({ hasText: /^\{"current\.iteration":4\}$/ })
      .waitFor({ timeout: 15_000 })
    assert.match(
      await page.getByRole('row').filter({ hasText: 'task.id' }).innerText(),
      /^\{"task\.id":0\}\t/,
    )
    await page.getByRole('button', { name: 'Stop' }).click()
    await state.filter({ hasText: 'STOPPED' }).waitFor({ timeout: 15_000 })
    const input = page.getByLabel('Offset of {"task.id":0}')
    assert.equal(await input.inputValue(), '{"current.iteration":4}')
    // Not JSON: said on the page, nothing sent.
    await input.fill('{"current.iteration":')
    await page.getByRole('button', { name: 'Save offsets' }).click()
    await page
      .getByRole('alert')
      .filter({ hasText: /^The offset of \{"task\.id":0\} is not JSON: \{"current\.iteration":$/ })
      .waitFor()
    await input.fill('{"current.iteration":1}')
    await page.getByRole('button', { name: 'Save offsets' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^The offsets for this connector have been altered successfully$/ })
      .waitFor()
    assert.deepEqual(await getJson(`${connect}/connectors/orders-gen/offsets`), {
      offsets: [{ partition: { 'task.id': 0 }, offset: { 'current.iteration': 1 } }],
    })
    await screenshot('connector-offsets')
    // Resumed, it continues after iteration 1: orders 2, 3 and 4 again.
    await page.getByRole('button', { name: 'Resume' }).click()
    await state.filter({ hasText: 'RUNNING' }).waitFor({ timeout: 15_000 })
    assert.deepEqual(await orderIds(broker, 'gen-orders', 8), [0, 1, 2, 3, 4, 2, 3, 4])
    await page
      .getByTestId('connector-offset')
      .filter({ hasText: /^\{"current\.iteration":4\}$/ })
      .waitFor({ timeout: 15_000 })
    // Reset: after a confirmation every offset is gone.
    await page.getByRole('button', { name: 'Stop' }).click()
    await state.filter({ hasText: 'STOPPED' }).waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Reset offsets' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Reset all offsets' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^The offsets for this connector have been reset successfully$/ })
      .waitFor()
    await page.getByText('No offsets committed.').waitFor()
    assert.deepEqual(await getJson(`${connect}/connectors/orders-gen/offsets`), { offsets: [] })
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('SQL: runs a query over a topic into a result grid; a bad query shows its error', async () => {
    const kafka = new Kafka({
      clientId: 'console-sql',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'sql-orders',
      messages: ['DE', 'FR', 'DE', 'IT', 'DE', 'FR'].map((country, index) => ({
        key: `o-${index}`,
        value: JSON.stringify({ country, total: index * 10 }),
      })),
    })
    await producer.disconnect()
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/sql`)
    const editor = page.getByRole('textbox', { name: /^Query/ })
    await editor.fill(
      "SELECT value->>'$.country' AS country, count(*) AS orders FROM streamline_topic('sql-orders') GROUP BY ALL ORDER BY orders DESC, country",
    )
    await editor.press('Control+Enter')
    const grid = page.getByRole('table', { name: 'Result' })
    await waitForCount(grid.locator('tbody tr'), 3, 30_000)
    assert.deepEqual(await grid.locator('thead th').allInnerTexts(), ['country', 'orders'])
    assert.deepEqual(await grid.locator('tbody tr').allInnerTexts(), ['DE\t3', 'FR\t2', 'IT\t1'])
    await page
      .getByRole('status')
      .filter({ hasText: /^3 rows in \d+ ms$/ })
      .waitFor()
    assert.match(page.url(), /\/sql\?sql=SELECT/)
    await screenshot('sql')
    await editor.fill('SELECT * FROM no_such_table')
    await page.getByRole('button', { name: 'Run' }).click()
    await page.getByRole('alert').filter({ hasText: 'INVALID_SQL' }).waitFor()
    assert.match(await page.getByRole('alert').innerText(), /no_such_table/)
    assert.equal(await grid.count(), 0)
    // Saved queries: kept in this browser across a reload, opened into the editor, deleted.
    await editor.fill("SELECT count(*) AS n FROM streamline_topic('sql-orders')")
    await page.getByLabel('Name').fill('order count')
    await page.getByRole('button', { name: 'Save query' }).click()
    await page.reload()
    await page.getByRole('button', { name: 'order count', exact: true }).click()
    assert.equal(await editor.inputValue(), "SELECT count(*) AS n FROM streamline_topic('sql-orders')")
    await page.getByRole('button', { name: 'Delete saved query order count' }).click()
    await page.getByText('No saved queries in this browser.').waitFor()
    // Continuous queries: a materialized view created here is listed with its state, paused and resumed.
    const continuous = page.getByRole('table', { name: 'Continuous queries' })
    await page.getByText(/^No continuous queries/).waitFor()
    await editor.fill(
      "CREATE MATERIALIZED VIEW orders_per_country AS SELECT value->>'$.country' AS country, count(*) AS orders FROM streamline_topic('sql-orders') GROUP BY TUMBLE(timestamp, INTERVAL '1' HOUR), country",
    )
    await page.getByRole('button', { name: 'Run' }).click()
    const viewRow = continuous.getByRole('row').filter({ hasText: 'orders_per_country' })
    await viewRow.filter({ hasText: 'RUNNING' }).waitFor({ timeout: 15_000 })
    assert.match(
      await viewRow.innerText(),
      /^orders_per_country\tMATERIALIZED VIEW\tsql-orders\torders_per_country\tRUNNING\t(–|\d{4}-\d\d-\d\dT[\d:.]+Z)\t0\tPause orders_per_country$/,
    )
    await page.getByRole('button', { name: 'Pause orders_per_country' }).click()
    await viewRow.filter({ hasText: 'PAUSED' }).waitFor()
    const shown = await fetch(`${base}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SHOW QUERIES' }),
    })
    const { columns, rows } = (await shown.json()) as { columns: Array<{ name: string }>; rows: unknown[][] }
    const status = columns.findIndex((column) => column.name === 'status')
    assert.deepEqual(
      rows.map((row) => [row[0], row[status]]),
      [['orders_per_country', 'PAUSED']],
    )
    await page.getByRole('button', { name: 'Resume orders_per_country' }).click()
    await viewRow.filter({ hasText: 'RUNNING' }).waitFor()
    await screenshot('sql-continuous')
    assert.deepEqual(unexpected(problems, [400]), [])
    await page.context().close()
  })

  test('messages: an Avro record decoded through the registry with its schema id, in a collapsible tree', async () => {
    const serializer = new SchemaRegistry({ host: registry })
    const { id } = await serializer.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Shipment',
          namespace: 'shop',
          fields: [
            { name: 'id', type: 'string' },
            {
              name: 'address',
              type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] },
            },
          ],
        }),
      },
      { subject: 'shipments-value' },
    )
    const kafka = new Kafka({ clientId: 'decode', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'shipments',
      messages: [
        { key: 's-1', value: await serializer.encode(id, { id: 's-1', address: { city: 'Lyon' } }) },
      ],
    })
    await producer.disconnect()
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics/shipments/messages?partition=0&from=oldest`)
    const table = page.getByRole('table', { name: 'Messages of shipments' })
    await waitForCount(table.locator('tbody tr'), 1)
    // Without decoding the value is bytes; with it, the record's fields and the schema id.
    await page.getByLabel('Decode with the schema registry').check()
    await page.getByRole('button', { name: 'Show messages' }).click()
    await page.waitForURL(/decode=registry/)
    const row = table.locator('tbody tr').first()
    await row.getByText(`schema ${id} · AVRO · shop.Shipment`).waitFor()
    const address = row.locator('details.json-node details.json-node')
    assert.equal(await address.getAttribute('open'), '')
    assert.match(await row.innerText(), /"id": "s-1"[\s\S]*"address": \{1 key\}[\s\S]*"city": "Lyon"/)
    // The nested object collapses from the keyboard.
    await address.locator('summary').first().focus()
    await page.keyboard.press('Enter')
    await page.waitForFunction(
      "document.querySelector('details.json-node details.json-node')?.hasAttribute('open') === false",
    )
    assert.equal(await row.getByText('"Lyon"').isVisible(), false)
    await screenshot('messages-decoded')
    assert.deepEqual(problems, [])
    await page.context().close()
  })

  test('the new pages pass axe-core (WCAG 2.1 A/AA) in light and dark themes', async () => {
    // Each page once its data is shown (a table row, the diff). The dark theme where these pages add
    // colours of their own (the diff); the rest use the shared, already checked, palette.
    const checks: Array<[string, string]> = [
      ['/schemas', 'tbody tr'],
      ['/schemas/orders-value?version=2&diff=1', '[data-testid="diff"]'],
      ['/connectors/orders-gen', '#config-kafka_2etopic'],
      [`/connectors?create=1&plugin=${datagenClass}`, '#config-kafka_2etopic'],
      ['/sql', 'textarea'],
      ['/topics/shipments/messages?partition=0&from=oldest&decode=registry', '.schema-tag'],
    ]
    for (const [colorScheme, paths] of [
      ['light', checks],
      ['dark', [checks[1], checks[4]]],
    ] as const) {
      const { page, problems } = await openPage(chromium.browser, { colorScheme, bypassCsp: true })
      for (const [path, shown] of paths) {
        await page.goto(`${base}${path}`)
        await page.locator(`main ${shown}`).first().waitFor()
        assert.deepEqual(await accessibilityViolations(page), [], `${colorScheme} ${path}`)
      }
      assert.deepEqual(problems, [])
      await page.context().close()
    }
  })
})
