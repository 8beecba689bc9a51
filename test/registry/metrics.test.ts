// Goal: the registry's metrics appear on the broker's /metrics once it is used: requests by method,
// route template and status, a latency histogram per route, and the schema, subject and version counts;
// an idle broker's scrape does not list them (the registry is not loaded).
// Method: an embedded broker; scrape /metrics before any registry request, then after registering two
// versions, a 404 lookup and an unknown path; exact sample lines.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { call } from './helpers.ts'

let streamline: Streamline

before(async () => {
  streamline = await startStreamline()
})
after(() => streamline.close())

async function scrape(): Promise<string> {
  return (await fetch(`${streamline.httpUrl ?? assert.fail('no http port')}/metrics`)).text()
}

it('counts requests, latencies and schemas', async () => {
  assert.doesNotMatch(await scrape(), /streamline_registry_/)
  const base = streamline.registryUrl ?? assert.fail('registry disabled')
  const record = (field: string) =>
    JSON.stringify({ type: 'record', name: 'M', fields: [{ name: field, type: 'int', default: 0 }] })
  assert.equal((await call(base, 'POST', '/subjects/m-value/versions', { schema: record('a') })).status, 200)
  assert.equal((await call(base, 'POST', '/subjects/m-value/versions', { schema: record('b') })).status, 200)
  assert.equal((await call(base, 'GET', '/subjects/nope/versions')).status, 404)
  assert.equal((await call(base, 'GET', '/no/such/path')).status, 404)
  const text = await scrape()
  const lines = new Set(text.split('\n'))
  for (const line of [
    'streamline_registry_requests_total{method="POST",route="/subjects/{subject}/versions",status="200"} 2',
    'streamline_registry_requests_total{method="GET",route="/subjects/{subject}/versions",status="404"} 1',
    'streamline_registry_requests_total{method="GET",route="unmatched",status="404"} 1',
    'streamline_registry_request_seconds_count{method="POST",route="/subjects/{subject}/versions"} 2',
    'streamline_registry_schemas 2',
    'streamline_registry_subjects 1',
    'streamline_registry_schema_versions 2',
  ]) {
    assert.ok(
      lines.has(line),
      `missing: ${line}\n${text
        .split('\n')
        .filter((l) => l.includes('registry'))
        .join('\n')}`,
    )
  }
})
