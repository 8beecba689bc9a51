// Goal: the SQL workbench's editor highlights SQL (keywords, functions, strings, quoted identifiers,
// numbers, comments) with a highlighter loaded only when the SQL page opens, and still runs queries.
// Method: one broker process (SQL on; no registry or Connect) and Debian's Chromium driven by
// playwright-core; the test waits for the highlighted copy, types a query, reads the tokens from the
// page, checks that the first page's JavaScript does not hold the highlighter, runs the query and reads
// the result grid, and runs axe-core in both themes. Completion: kafkajs creates topics, the test types
// from the keyboard and waits for the exact options before each key that picks one.

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

describe('SQL editor highlighting in Chromium', { skip }, () => {
  let broker: BrokerProcess
  let base: string
  let chromium: ConsoleBrowser

  before(async () => {
    ensureConsoleBuilt()
    broker = await startBrokerProcess({ args: ['--no-registry', '--no-connect'] })
    base = httpBaseOf(broker)
    chromium = await launchChromium()
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
  })

  test('highlights a query as it is typed and runs it', async () => {
    // The first page's script does not carry the highlighter's keyword list (it is a lazy chunk).
    const html = await (await fetch(`${base}/`)).text()
    const entry = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    assert.ok(entry, html)
    assert.doesNotMatch(await (await fetch(`${base}${entry}`)).text(), /ilike between case/)

    const { page, problems, screenshot } = await openPage(chromium.browser, { bypassCsp: true })
    await page.goto(`${base}/sql`)
    const highlight = page.getByTestId('sql-highlight')
    await highlight.waitFor({ state: 'attached' })
    const query = `SELECT count(*) AS n, 'a''b' AS s, "offset"\nFROM range(3) -- three rows\nWHERE 1.5 > 0`
    await page.getByRole('textbox', { name: /^Query/ }).fill(query)
    const tokens = async (kind: string) => highlight.locator(`.tok-${kind}`).allInnerTexts()
    await highlight.locator('.tok-comment').waitFor({ state: 'attached' })
    assert.deepEqual(await tokens('keyword'), ['SELECT', 'AS', 'AS', 'FROM', 'WHERE'])
    assert.deepEqual(await tokens('function'), ['count', 'range'])
    assert.deepEqual(await tokens('string'), ["'a''b'"])
    assert.deepEqual(await tokens('identifier'), ['"offset"'])
    assert.deepEqual(await tokens('number'), ['3', '1.5', '0'])
    assert.deepEqual(await tokens('comment'), ['-- three rows'])
    // The highlighted copy holds exactly the textarea's text (plus the one trailing space it keeps).
    assert.equal(await highlight.evaluate((element) => element.textContent), `${query} `)
    await page.getByRole('textbox', { name: /^Query/ }).fill('SELECT 6 * 7 AS answer')
    await page.getByRole('button', { name: 'Run' }).click()
    await page.getByRole('table', { name: 'Result' }).getByRole('cell', { name: '42' }).waitFor()
    await screenshot('sql-highlighted')
    assert.deepEqual(await accessibilityViolations(page), [])
    assert.deepEqual(problems, [])
    await page.context().close()
    const dark = await openPage(chromium.browser, { bypassCsp: true, colorScheme: 'dark' })
    await dark.page.goto(`${base}/sql?sql=${encodeURIComponent("SELECT 'x' AS y -- dark")}`)
    await dark.page.getByTestId('sql-highlight').locator('.tok-comment').waitFor({ state: 'attached' })
    assert.deepEqual(await accessibilityViolations(dark.page), [])
    assert.deepEqual(dark.problems, [])
    await dark.page.context().close()
  })

  test('completes topic names inside streamline_topic and its column names', async () => {
    const kafka = new Kafka({
      clientId: 'completion',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: ['orders-eu', 'orders-us', 'payments'].map((topic) => ({ topic })) })
    await admin.disconnect()
    const { page, problems, screenshot } = await openPage(chromium.browser, { bypassCsp: true })
    await page.goto(`${base}/sql`)
    const editor = page.getByRole('textbox', { name: /^Query/ })
    await editor.waitFor()
    await editor.focus()
    const options = page.getByRole('listbox', { name: 'Completions' }).getByRole('option')
    const shown = async (expected: string[]) => {
      await waitForCount(options, expected.length)
      assert.deepEqual(await options.allInnerTexts(), expected)
    }
    await page.keyboard.type('SELECT * FROM stream')
    await shown(['streamline_topic'])
    await page.keyboard.press('Tab')
    // The function is inserted with its quote: the topics follow.
    await shown(['orders-eu', 'orders-us', 'payments'])
    await page.keyboard.type('ord')
    await shown(['orders-eu', 'orders-us'])
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowDown')
    await options.nth(1).and(page.locator('[aria-selected="true"]')).waitFor()
    await page.keyboard.press('Enter')
    await waitForCount(options, 0)
    assert.equal(await editor.inputValue(), "SELECT * FROM streamline_topic('orders-us')")
    await page.keyboard.type(' WHERE val')
    await shown(['value', 'value_bytes'])
    await screenshot('sql-completion')
    assert.deepEqual(await accessibilityViolations(page), [])
    await page.keyboard.press('Tab')
    await page.keyboard.type(' IS NOT NULL AND o')
    await shown(['offset'])
    await page.keyboard.press('Enter')
    await waitForCount(options, 0)
    await page.keyboard.type(' >= 0')
    assert.equal(
      await editor.inputValue(),
      `SELECT * FROM streamline_topic('orders-us') WHERE value IS NOT NULL AND "offset" >= 0`,
    )
    // Escape closes the list; Ctrl+Enter still runs the query.
    await page.keyboard.type(' AND k')
    await shown(['key', 'key_bytes'])
    await page.keyboard.press('Escape')
    await waitForCount(options, 0)
    await page.keyboard.type('ey IS NULL')
    await page.keyboard.press('Control+Enter')
    await page
      .getByRole('status')
      .filter({ hasText: /^0 rows in \d+ ms$/ })
      .waitFor()
    assert.deepEqual(problems, [])
    await page.context().close()
  })
})
