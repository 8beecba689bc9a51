// Goal: GET /api/v1/services tells which of the registry, Connect and SQL run and answer, and the
// admin port's pass-through (/api/v1/registry/…, /api/v1/connect/…, used by the console's pages) keeps
// the services' answers byte for byte (status, content type, Confluent's error bodies), refuses clearly
// when a service is disabled, and survives malformed bodies.
// Method: two embedded brokers (in memory, free ports): one with every service, one with the registry
// and Connect disabled; requests with fetch(); results compared with the services' own ports.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'

let full: Streamline
let bare: Streamline

before(async () => {
  full = await startStreamline()
  bare = await startStreamline({ registryEnabled: false, connectEnabled: false })
})

after(async () => {
  await full?.close()
  await bare?.close()
})

test('a broker without registry and Connect says so, and the pass-through refuses with SERVICE_DISABLED', async () => {
  const services = await (await fetch(`${bare.httpUrl}/api/v1/services`)).json()
  assert.deepEqual(services, {
    registry: { enabled: false, status: 'disabled', url: null, latencyMs: null },
    connect: { enabled: false, status: 'disabled', url: null, latencyMs: null },
    sql: { enabled: true, status: 'up', url: null, latencyMs: null },
  })
  for (const path of ['/api/v1/registry/subjects', '/api/v1/connect/connectors']) {
    const response = await fetch(`${bare.httpUrl}${path}`)
    assert.equal(response.status, 404)
    const body = (await response.json()) as { code: string }
    assert.equal(body.code, 'SERVICE_DISABLED')
  }
})

test('the registry through the pass-through answers exactly as on its own port', async () => {
  const registry = full.registryUrl ?? assert.fail('registry disabled')
  const through = `${full.httpUrl}/api/v1/registry`
  const register = await fetch(`${through}/subjects/pass-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: '"string"' }),
  })
  assert.equal(register.status, 200)
  assert.deepEqual(await register.json(), { id: 1 })
  for (const path of [
    '/subjects',
    '/subjects/pass-value/versions/1',
    '/subjects/missing/versions',
    '/config',
  ]) {
    const [direct, proxied] = await Promise.all([fetch(`${registry}${path}`), fetch(`${through}${path}`)])
    assert.equal(proxied.status, direct.status, path)
    assert.equal(proxied.headers.get('content-type'), direct.headers.get('content-type'), path)
    assert.equal(await proxied.text(), await direct.text(), path)
  }
  // Malformed bodies get the registry's own error, and both ports keep serving.
  const malformed = await fetch(`${through}/subjects/pass-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"schema": ',
  })
  assert.equal(
    malformed.status,
    (
      await fetch(`${registry}/subjects/pass-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"schema": ',
      })
    ).status,
  )
  assert.ok(malformed.status >= 400 && malformed.status < 500, String(malformed.status))
  assert.deepEqual(await (await fetch(`${through}/subjects`)).json(), ['pass-value'])
})
