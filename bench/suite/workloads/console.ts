// The web console (issue 18), measured in one run on an embedded broker with a data dir:
//   1. JavaScript shipped for the first page, gzipped as the HTTP port serves it (target < 250 KB);
//   2. the message browser's first page of a 1 GiB topic (16 MiB with --quick): the admin API's answer
//      for the newest and the oldest 50 records, best of 5 over loopback (target < 300 ms);
//   3. time to interactive in Debian's Chromium: the overview (navigation start → cluster id and the
//      first chart shown) and the message browser of that topic (→ its first page of rows shown).
// Chromium is optional here: without /usr/bin/chromium the browser measurements are left out.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startStreamline } from '../../../src/embedded/index.ts'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { chromiumPath, ensureConsoleBuilt, launchChromium, openPage } from '../../../test/console/browser.ts'
import type { BenchContext, Workload } from '../types.ts'

const topicName = 'console-1gib'
const recordBytes = 10_000
/** Records per appended batch: just under the default max.message.bytes (1 MiB). */
const perBatch = 100
const pageSize = 50

function recordValue(index: number): Buffer {
  const head = `{"id":${index},"country":"DE","payload":"`
  return Buffer.from(`${head}${'x'.repeat(recordBytes - head.length - 2)}"}`)
}

async function bestOf(runs: number, run: () => Promise<unknown>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now()
    await run()
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

async function shippedGzipKiB(base: string): Promise<number> {
  const html = await (await fetch(`${base}/`)).text()
  let total = 0
  for (const [, asset] of html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)) {
    const response = await fetch(`${base}${asset}`, { headers: { 'accept-encoding': 'gzip' } })
    // fetch decompresses the body: the size on the wire is the content-length.
    total += Number(response.headers.get('content-length'))
    await response.arrayBuffer()
  }
  return total / 1024
}

async function run(context: BenchContext): Promise<void> {
  ensureConsoleBuilt()
  const topicBytes = context.options.quick ? 16 * 1024 ** 2 : 1024 ** 3
  const streamline = await startStreamline({
    dataDir: join(context.options.scratchDir, 'console-data'),
    registryEnabled: false,
    connectEnabled: false,
  })
  const base = streamline.httpUrl ?? ''
  try {
    const gzipKiB = await shippedGzipKiB(base)
    context.record({
      id: 'console.firstPage.jsGzipKiB',
      label: 'console: JS of the first page, gzipped',
      value: gzipKiB,
      unit: 'KiB',
    })
    context.target({
      id: 'target.console-first-page-js',
      description: 'JS shipped for the first page under 250 KB gzipped',
      actual: gzipKiB * 1.024,
      comparator: '<=',
      bound: 250,
      unit: 'KB',
      basis: `${gzipKiB.toFixed(1)} KiB of gzipped JS in index.html's scripts`,
    })

    await streamline.broker.logs.createTopic(topicName, {
      partitionCount: 1,
      configOverrides: {},
    })
    const log = streamline.broker.logs.partition(topicName, 0)
    if (log === undefined) throw new Error('no partition')
    const records = Math.ceil(topicBytes / recordBytes)
    const filled = performance.now()
    for (let start = 0; start < records; start += perBatch) {
      const batch = Array.from({ length: Math.min(perBatch, records - start) }, (_, offset) => ({
        timestamp: Date.now(),
        key: Buffer.from(`k${start + offset}`),
        value: recordValue(start + offset),
      }))
      // Not fsynced per batch (the fill is set-up, not what is measured).
      await log.append(await buildBatch({ records: batch }), { durable: false, leaderEpoch: 0 })
    }
    context.log(
      `console: ${records} records (${(topicBytes / 1024 ** 2).toFixed(0)} MiB) in ${((performance.now() - filled) / 1000).toFixed(1)} s`,
    )

    const browse = (offset: number) => async () => {
      const response = await fetch(
        `${base}/api/v1/topics/${topicName}/partitions/0/messages?offset=${offset}&limit=${pageSize}`,
      )
      const body = (await response.json()) as { messages: unknown[] }
      if (body.messages.length !== pageSize) throw new Error(`browse gave ${body.messages.length} records`)
    }
    await browse(0)() // the admin API's first request builds its app
    const newestMs = await bestOf(5, browse(log.highWatermark - pageSize))
    const oldestMs = await bestOf(5, browse(log.logStartOffset))
    const mib = (topicBytes / 1024 ** 2).toFixed(0)
    context.record({
      id: 'console.browse.newest.ms',
      label: `console: newest ${pageSize} records of a ${mib} MiB topic (API)`,
      value: newestMs,
      unit: 'ms',
    })
    context.record({
      id: 'console.browse.oldest.ms',
      label: `console: oldest ${pageSize} records of a ${mib} MiB topic (API)`,
      value: oldestMs,
      unit: 'ms',
    })
    context.target({
      id: 'target.console-browse-first-page',
      description: "message browser's first page of a 1 GiB topic under 300 ms server time",
      actual: Math.max(newestMs, oldestMs),
      comparator: '<=',
      bound: 300,
      unit: 'ms',
      basis: `best of 5 over loopback, ${pageSize} records of ${recordBytes} B: newest ${newestMs.toFixed(1)} ms, oldest ${oldestMs.toFixed(1)} ms, topic ${mib} MiB`,
    })

    if (!existsSync(chromiumPath)) {
      context.log(`console: ${chromiumPath} is missing; time to interactive not measured`)
      return
    }
    const chromium = await launchChromium()
    try {
      const time = async (
        path: string,
        ready: (page: Awaited<ReturnType<typeof openPage>>['page']) => Promise<void>,
      ) => {
        let fastest = Number.POSITIVE_INFINITY
        for (let visit = 0; visit < 3; visit += 1) {
          const { page, problems } = await openPage(chromium.browser)
          const started = performance.now()
          await page.goto(`${base}${path}`)
          await ready(page)
          fastest = Math.min(fastest, performance.now() - started)
          if (problems.length > 0) throw new Error(`browser problems: ${problems.join('; ')}`)
          await page.context().close()
        }
        return fastest
      }
      const overviewMs = await time('/', async (page) => {
        await page.getByTestId('cluster-id').filter({ hasText: streamline.clusterId }).waitFor()
        await page.getByRole('img', { name: 'Records per second chart' }).waitFor()
      })
      const messagesMs = await time(`/topics/${topicName}/messages`, async (page) => {
        await page
          .getByRole('table', { name: `Messages of ${topicName}` })
          .locator('tbody tr')
          .nth(pageSize - 1)
          .waitFor()
      })
      context.record({
        id: 'console.overview.ttiMs',
        label: 'console: overview interactive (Chromium, best of 3)',
        value: overviewMs,
        unit: 'ms',
      })
      context.record({
        id: 'console.messages.ttiMs',
        label: `console: message browser's first page of a ${mib} MiB topic shown (Chromium, best of 3)`,
        value: messagesMs,
        unit: 'ms',
      })
    } finally {
      await chromium.close()
    }
  } finally {
    await streamline.close()
  }
}

export const consoleWorkload: Workload = { name: 'console', order: 85, run }
