// Goal: the registry's read caches never change an answer (issue 15, "Benchmarks": GET
// /schemas/ids/{id} and POST /subjects/{s} (lookup) answered from ready-made bytes, a lookup's text seen
// before not parsed again). Method: an embedded broker (startStreamline: in memory, free ports); each
// read is asked twice (the second from the cache), then again after a write that changes its answer,
// asserting exact bodies every time; the lookup's counts on /metrics include the kept answers.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { avroRecord, call } from './helpers.ts'

let streamline: Streamline
let base: string

before(async () => {
  streamline = await startStreamline()
  base = streamline.registryUrl ?? assert.fail('registry disabled')
  assert.equal((await call(base, 'PUT', '/config', { compatibility: 'NONE' })).status, 200)
})
after(() => streamline.close())

const order = avroRecord('Order', [{ name: 'id', type: 'long' }])
const invoice = avroRecord('Invoice', [{ name: 'total', type: 'double' }])

async function register(subject: string, body: Record<string, unknown>): Promise<number> {
  const answer = await call(base, 'POST', `/subjects/${subject}/versions`, body)
  assert.equal(answer.status, 200, answer.text)
  return (answer.json as { id: number }).id
}

async function twice(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const first = await call(base, method, path, body)
  const second = await call(base, method, path, body)
  assert.equal(second.status, first.status)
  assert.deepEqual(second.json, first.json)
  return first
}

describe('GET /schemas/ids/{id} from kept answers', () => {
  test('a write that changes the answer changes it: metadata of a new first owner, then deletion', async () => {
    const id = await register('orders-value', { schema: order })
    assert.deepEqual((await twice('GET', `/schemas/ids/${id}`)).json, { schema: order })
    // The same schema under a subject sorting first, with metadata: same id, and its metadata answers.
    const metadata = { properties: { owner: 'billing' } }
    assert.equal(await register('a-orders-value', { schema: order, metadata }), id)
    assert.deepEqual((await twice('GET', `/schemas/ids/${id}`)).json, { metadata, schema: order })
    // A query string is not kept: answered by the route each time.
    assert.deepEqual((await twice('GET', `/schemas/ids/${id}?subject=orders-value`)).json, { schema: order })
    for (const subject of ['orders-value', 'a-orders-value']) {
      assert.equal((await call(base, 'DELETE', `/subjects/${subject}`)).status, 200)
      assert.equal((await call(base, 'DELETE', `/subjects/${subject}?permanent=true`)).status, 200)
    }
    assert.deepEqual((await twice('GET', `/schemas/ids/${id}`)).json, {
      error_code: 40403,
      message: 'Schema not found',
    })
  })
})

describe('POST /subjects/{s} (lookup) without parsing', () => {
  test('canonical and reformatted texts find the version; misses and invalid texts answer as before', async () => {
    const orderId = await register('lookups-value', { schema: order })
    const invoiceId = await register('lookups-value', { schema: invoice })
    const expected = { subject: 'lookups-value', version: 2, id: invoiceId, schema: invoice }
    assert.deepEqual((await twice('POST', '/subjects/lookups-value', { schema: invoice })).json, expected)
    const spaced = JSON.stringify(JSON.parse(invoice), null, 3)
    assert.deepEqual((await twice('POST', '/subjects/lookups-value', { schema: spaced })).json, expected)
    // Registered under another subject only: not found here, with either text.
    await register('elsewhere-value', { schema: avroRecord('Elsewhere', [{ name: 'x', type: 'int' }]) })
    for (const schema of [invoice, spaced]) {
      assert.deepEqual((await twice('POST', '/subjects/elsewhere-value', { schema })).json, {
        error_code: 40403,
        message: 'Schema not found',
      })
    }
    // A soft-deleted version: found only with deleted=true.
    assert.equal((await call(base, 'DELETE', '/subjects/lookups-value/versions/1')).status, 200)
    assert.equal((await twice('POST', '/subjects/lookups-value', { schema: order })).status, 404)
    assert.deepEqual((await twice('POST', '/subjects/lookups-value?deleted=true', { schema: order })).json, {
      subject: 'lookups-value',
      version: 1,
      id: orderId,
      schema: order,
      deleted: true,
    })
    const invalid = await twice('POST', '/subjects/lookups-value', { schema: '{"type":"record"' })
    assert.equal(invalid.status, 422)
    assert.equal((invalid.json as { error_code: number }).error_code, 42201)
  })
})

/** `streamline_registry_requests_total` of lookups answered 200 (0 before the first). */
async function lookupsAnswered(): Promise<number> {
  const metrics = await (await fetch(`${streamline.httpUrl}/metrics`)).text()
  const line =
    /^streamline_registry_requests_total\{method="POST",route="\/subjects\/\{subject\}",status="200"\} (\d+)$/m
  return Number(line.exec(metrics)?.[1] ?? 0)
}

describe('POST /subjects/{s} (lookup) from kept answers', () => {
  test('kept per URL and body; emptied by a delete; a refused content type is still refused', async () => {
    const answeredBefore = await lookupsAnswered()
    const first = avroRecord('Kept', [{ name: 'a', type: 'int' }])
    const second = avroRecord('KeptToo', [{ name: 'b', type: 'int' }])
    const id = await register('kept-value', { schema: first })
    await register('kept-value', { schema: second })
    const found = { subject: 'kept-value', version: 1, id, schema: first }
    const spaced = JSON.stringify(JSON.parse(first), null, 2)
    for (const path of [
      '/subjects/kept-value',
      '/subjects/kept-value?normalize=true',
      '/subjects/kept-value/',
    ]) {
      assert.deepEqual((await twice('POST', path, { schema: first })).json, found)
      assert.deepEqual((await twice('POST', path, { schema: spaced })).json, found)
    }
    // The same URL and body with a content type the registry refuses: 415, not the kept answer.
    const refused = await call(base, 'POST', '/subjects/kept-value', { schema: first }, 'text/plain')
    assert.equal(refused.status, 415)
    assert.deepEqual(refused.json, {
      error_code: 415,
      message: 'HTTP 415 Unsupported Media Type: text/plain',
    })
    // Soft-deleting the version changes every kept answer that named it.
    assert.equal((await call(base, 'DELETE', '/subjects/kept-value/versions/1')).status, 200)
    const notFound = { error_code: 40403, message: 'Schema not found' }
    for (const schema of [first, spaced]) {
      assert.deepEqual((await twice('POST', '/subjects/kept-value', { schema })).json, notFound)
      assert.deepEqual((await twice('POST', '/subjects/kept-value?deleted=true', { schema })).json, {
        ...found,
        deleted: true,
      })
    }
    // Kept answers are counted on /metrics under the lookup's route like any other: 16 found above.
    assert.equal((await lookupsAnswered()) - answeredBefore, 16)
  })
})
