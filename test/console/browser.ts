// Test helpers for the web console: a broker process with its HTTP port, and Debian's Chromium driven
// by playwright-core (nothing downloads a browser: executablePath is /usr/bin/chromium). Each page
// records the browser console's errors and failed requests so tests can assert there were none.

import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type BrokerProcess, makeTempDir, removeTempDir, repositoryRoot } from '../helpers/broker-process.ts'

export const chromiumPath = '/usr/bin/chromium'
/** Screenshots of the browser tests (gitignored): test artifacts to look at. */
export const screenshotDir = join(repositoryRoot, '.tmp', 'console-screenshots')

/** The HTTP port of a broker started by startBrokerProcess (from its "http listening" log line). */
export function httpBaseOf(broker: BrokerProcess): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"http listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error(`no "http listening" line in the broker output:\n${broker.output()}`)
}

export interface ConsoleBrowser {
  browser: Browser
  close(): Promise<void>
}

export async function launchChromium(): Promise<ConsoleBrowser> {
  const profile = await makeTempDir('streamline-chromium-')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  })
  return {
    browser,
    async close() {
      await browser.close()
      await removeTempDir(profile)
    },
  }
}

export interface WatchedPage {
  page: Page
  /** Console errors, uncaught page errors and failed requests seen so far. */
  problems: string[]
  screenshot(name: string): Promise<void>
}

export async function openPage(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; width?: number } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1366, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) => {
    // A WebSocket or fetch aborted because the page navigated is not a problem of the page.
    const failure = request.failure()?.errorText ?? ''
    if (!failure.includes('ERR_ABORTED')) problems.push(`request failed: ${request.url()} ${failure}`)
  })
  await mkdir(screenshotDir, { recursive: true })
  return {
    page,
    problems,
    async screenshot(name) {
      await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })
    },
  }
}
