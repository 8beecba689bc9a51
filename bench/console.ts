// The web console's numbers: JS and CSS shipped for the first page (gzip and brotli, as the HTTP port
// serves them), time until the overview shows the cluster, and the topic list with 10,000 topics
// (API answer time and time until the first page of rows is on screen, then a search).
// Usage: node --import tsx bench/console.ts   (builds dist/web when stale; needs /usr/bin/chromium)

import { performance } from 'node:perf_hooks'
import { startStreamline } from '../src/embedded/index.ts'
import { ensureConsoleBuilt, launchChromium, openPage } from '../test/console/browser.ts'

ensureConsoleBuilt()
const topicCount = 10_000

const streamline = await startStreamline()
const base = streamline.httpUrl ?? ''
const chromium = await launchChromium()
try {
  const html = await (await fetch(`${base}/`)).text()
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1])
  for (const asset of assets) {
    const sizes: string[] = []
    for (const encoding of ['identity', 'gzip', 'br']) {
      const response = await fetch(`${base}${asset}`, { headers: { 'accept-encoding': encoding } })
      sizes.push(`${encoding} ${(Number(response.headers.get('content-length')) / 1024).toFixed(1)} KiB`)
    }
    console.log(`${asset}: ${sizes.join(', ')}`)
  }
  // First visit (the admin API's fastify app is built on the first /api request), then a warm one.
  let started = 0
  for (const visit of ['first', 'second']) {
    const overview = await openPage(chromium.browser)
    started = performance.now()
    await overview.page.goto(`${base}/`)
    await overview.page.getByTestId('cluster-id').filter({ hasText: streamline.clusterId }).waitFor()
    await overview.page.getByRole('img', { name: 'Records per second chart' }).waitFor()
    console.log(
      `overview (${visit} visit): cluster and charts shown ${(performance.now() - started).toFixed(0)} ms after navigation starts`,
    )
    await overview.page.context().close()
  }

  started = performance.now()
  for (let index = 0; index < topicCount; index += 1) {
    await streamline.broker.logs.createTopic(`topic-${String(index).padStart(5, '0')}`, {
      partitionCount: 1,
      configOverrides: {},
    })
  }
  console.log(`created ${topicCount} topics in ${(performance.now() - started).toFixed(0)} ms`)
  for (let run = 0; run < 3; run += 1) {
    started = performance.now()
    const listed = await (await fetch(`${base}/api/v1/topics`)).text()
    console.log(
      `GET /api/v1/topics: ${(performance.now() - started).toFixed(0)} ms, ${(listed.length / 1024).toFixed(0)} KiB`,
    )
  }
  const topics = await openPage(chromium.browser)
  started = performance.now()
  await topics.page.goto(`${base}/topics`)
  await topics.page.getByRole('link', { name: 'topic-00049' }).waitFor()
  console.log(
    `topics page, ${topicCount} topics: first page on screen ${(performance.now() - started).toFixed(0)} ms`,
  )
  started = performance.now()
  await topics.page.getByRole('searchbox', { name: 'Search topics' }).fill('topic-0999')
  await topics.page.getByText(`10 of ${topicCount} topics`).waitFor()
  console.log(
    `search over ${topicCount} topics: ${(performance.now() - started).toFixed(0)} ms to the filtered list`,
  )
  started = performance.now()
  await topics.page.getByRole('button', { name: 'Partitions' }).click()
  await topics.page.getByRole('button', { name: 'Name' }).click()
  await topics.page.getByRole('button', { name: 'Name' }).click()
  console.log(`three re-sorts: ${(performance.now() - started).toFixed(0)} ms`)
  if (topics.problems.length > 0) console.log('browser problems:', topics.problems)
  await topics.page.context().close()
} finally {
  await chromium.close()
  await streamline.close()
}
