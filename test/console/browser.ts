// Test helpers for the web console: a broker process with its HTTP port, and Debian's Chromium driven
// by playwright-core (nothing downloads a browser: executablePath is /usr/bin/chromium). Each page
// records the browser console's errors and failed requests so tests can assert there were none.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { httpUrlOf, repositoryRoot } from '../helpers/broker-process.ts'

const require = createRequire(import.meta.url)

export const chromiumPath = '/usr/bin/chromium'
/** Screenshots of the browser tests (gitignored): test artifacts to look at. */
export const screenshotDir = join(repositoryRoot, '.tmp', 'console-screenshots')

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return Number.NEGATIVE_INFINITY
  }
}

function consoleBuildIsFresh(): boolean {
  const index = join(repositoryRoot, 'dist', 'web', 'index.html')
  let newest = modifiedMs(join(repositoryRoot, 'package-lock.json'))
  for (const entry of readdirSync(join(repositoryRoot, 'web'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, modifiedMs(join(entry.parentPath, entry.name)))
  }
  return modifiedMs(index) >= newest
}

/** A build that takes longer than this left its lock behind (a killed test run): take it over. */
const staleBuildLockMs = 5 * 60_000

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs `build` while holding a lock directory: the console test files run in parallel processes, and two
 * `vite build`s at once fail (vite refuses a second build of the project) or empty dist/web/ under a
 * page another test is loading. mkdir is atomic, so exactly one process builds; the others wait. */
function withBuildLock(build: () => void): void {
  const lock = join(repositoryRoot, '.tmp', 'console-build.lock')
  mkdirSync(join(repositoryRoot, '.tmp'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (Date.now() - modifiedMs(lock) > staleBuildLockMs) rmSync(lock, { recursive: true, force: true })
      else sleepSync(200)
    }
  }
  try {
    build()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** Builds the console (web/ → dist/web/) when it is missing or older than its sources, as npm start
 * does: a fresh clone (CI) has no dist/. */
export function ensureConsoleBuilt(): void {
  if (consoleBuildIsFresh()) return
  withBuildLock(() => {
    // Another test file may have built it while this one waited for the lock.
    if (consoleBuildIsFresh()) return
    execFileSync(
      process.execPath,
      [
        join(repositoryRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'web/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      { cwd: repositoryRoot, stdio: 'inherit' },
    )
  })
}

/** The HTTP port of a broker started by startBrokerProcess (from its "http listening" log line). */
/** The broker process's admin HTTP base URL (the console is served there). */
export const httpBaseOf = httpUrlOf

export interface ConsoleBrowser {
  browser: Browser
  close(): Promise<void>
}

export async function launchChromium(): Promise<ConsoleBrowser> {
  // playwright's launch() gives Chromium a fresh temporary --user-data-dir of its own (and removes it).
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
    ],
  })
  return {
    browser,
    async close() {
      await browser.close()
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
  options: { colorScheme?: 'light' | 'dark'; width?: number; bypassCsp?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1366, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    // Only for injecting axe-core: the console's CSP (rightly) refuses inline scripts.
    bypassCSP: options.bypassCsp === true,
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

let chromiumProblem: string | null | undefined

/** A value for node:test's `skip` option, as test/helpers/clients.ts does for the other clients: the
 * test runs when Chromium works; without it it is skipped, or FAILS under CI=true. */
export function requireChromium(): string | false {
  if (chromiumProblem === undefined) {
    const result = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 20_000 })
    chromiumProblem =
      result.error !== undefined || result.status !== 0
        ? `${chromiumPath} --version failed: ${result.error?.message ?? result.stderr}`
        : null
  }
  if (chromiumProblem === null) return false
  if (process.env.CI === 'true') {
    test('chromium is installed', () => {
      throw new Error(
        `Chromium is missing and CI=true requires it (.ci/run: apt-get install chromium): ${chromiumProblem}`,
      )
    })
    return 'chromium is missing (the failing test "chromium is installed" says why)'
  }
  return `chromium is not installed (${chromiumProblem}); apt-get install chromium to run this test`
}

/** Waits (bounded) until the locator matches exactly `count` elements: pages keep showing the previous
 * result while the next one loads. */
export async function waitForCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let seen = await locator.count()
  while (seen !== count) {
    if (Date.now() > deadline) assert.fail(`expected ${count} elements, saw ${seen}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    seen = await locator.count()
  }
}

interface AxeViolation {
  id: string
  impact: string
  help: string
  nodes: Array<{ target: string[] }>
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now; the violations, summarised. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await readFile(require.resolve('axe-core/axe.min.js'), 'utf8') })
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(options: object): Promise<{ violations: unknown[]; passes: unknown[] }> }
      }
    ).axe
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return result.passes.length === 0
      ? [{ id: 'axe-did-not-run', impact: '', help: '', nodes: [] }]
      : result.violations
  })
  return (violations as AxeViolation[]).map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  )
}
