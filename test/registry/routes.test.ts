// Goal: every route of the registry answers as Confluent's does (bodies, status and error codes
// 40401–40409, 40901, 42201–42206, 404/405/415/400/413/422 for bad HTTP), and bad input never stops it
// (issue 15, "Serving"). Method: an embedded broker (startStreamline: in memory, free ports); plain
// fetch calls, asserting exact bodies.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { avroRecord, call } from './helpers.ts'

let streamline: Streamline
let base: string

before(async () => {
  streamline = await startStreamline()
  base = streamline.registryUrl ?? assert.fail('registry disabled')
})
after(() => streamline.close())

const v1 = avroRecord('User', [{ name: 'name', type: 'string' }])
const v2 = avroRecord('User', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int', default: 0 },
])
const v2NoDefault = avroRecord('User', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int' },
])

describe('root and metadata', () => {
  test('GET / answers {} with the registry content type', async () => {
    const answer = await call(base, 'GET', '/')
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json, {})
    assert.equal(answer.contentType, 'application/vnd.schemaregistry.v1+json')
  })
  test('schema types, contexts, cluster id', async () => {
    assert.deepEqual((await call(base, 'GET', '/schemas/types')).json, ['JSON', 'PROTOBUF', 'AVRO'])
    assert.deepEqual((await call(base, 'GET', '/contexts')).json, ['.'])
    const metadata = await call(base, 'GET', '/v1/metadata/id')
    assert.deepEqual(metadata.json, {
      scope: {
        path: [],
        clusters: { 'kafka-cluster': streamline.clusterId, 'schema-registry-cluster': 'schema-registry' },
      },
    })
  })
  test('unknown path 404, wrong method 405', async () => {
    assert.deepEqual((await call(base, 'GET', '/nope')).json, {
      error_code: 404,
      message: 'HTTP 404 Not Found',
    })
    const answer = await call(base, 'PUT', '/subjects')
    assert.equal(answer.status, 405)
    assert.equal((answer.json as { error_code: number }).error_code, 405)
  })
})

async function assertSecondVersionAndReads(id: number): Promise<void> {
  const second = await call(base, 'POST', '/subjects/users-value/versions', { schema: v2 })
  assert.equal((second.json as { id: number }).id, id + 1)
  assert.deepEqual((await call(base, 'GET', '/subjects/users-value/versions')).json, [1, 2])
  assert.deepEqual((await call(base, 'GET', '/subjects/users-value/versions/latest')).json, {
    subject: 'users-value',
    version: 2,
    id: id + 1,
    schema: v2,
  })
  assert.deepEqual(
    (await call(base, 'GET', '/subjects/users-value/versions/-1')).json,
    (await call(base, 'GET', '/subjects/users-value/versions/2')).json,
  )
  const raw = await call(base, 'GET', '/subjects/users-value/versions/1/schema')
  assert.equal(raw.text, v1)
  assert.deepEqual((await call(base, 'GET', `/schemas/ids/${id}`)).json, { schema: v1 })
  assert.equal((await call(base, 'GET', `/schemas/ids/${id}/schema`)).text, v1)
  assert.deepEqual((await call(base, 'GET', `/schemas/ids/${id}/subjects`)).json, [
    'other-value',
    'users-value',
  ])
  assert.deepEqual((await call(base, 'GET', `/schemas/ids/${id}/versions`)).json, [
    { subject: 'other-value', version: 1 },
    { subject: 'users-value', version: 1 },
  ])
  const withMax = await call(base, 'GET', `/schemas/ids/${id}?fetchMaxId=true`)
  assert.equal((withMax.json as { maxId: number }).maxId, id + 1)
}

describe('register, look up, read', () => {
  test('register gives ids; the same schema again gives the same id; whitespace does not matter', async () => {
    const first = await call(base, 'POST', '/subjects/users-value/versions', { schema: v1 })
    assert.equal(first.status, 200)
    const id = (first.json as { id: number }).id
    assert.deepEqual((await call(base, 'POST', '/subjects/users-value/versions', { schema: v1 })).json, {
      id,
    })
    const spaced = JSON.stringify(JSON.parse(v1), null, 2)
    assert.deepEqual((await call(base, 'POST', '/subjects/users-value/versions', { schema: spaced })).json, {
      id,
    })
    // The same schema under another subject: the same global id, version 1 there.
    assert.deepEqual((await call(base, 'POST', '/subjects/other-value/versions', { schema: v1 })).json, {
      id,
    })
    await assertSecondVersionAndReads(id)
  })
  test('lookup: found, schema not found 40403, subject not found 40401', async () => {
    const found = await call(base, 'POST', '/subjects/users-value', { schema: v1 })
    assert.equal((found.json as { version: number }).version, 1)
    assert.deepEqual((await call(base, 'POST', '/subjects/users-value', { schema: v2NoDefault })).json, {
      error_code: 40403,
      message: 'Schema not found',
    })
    assert.deepEqual((await call(base, 'POST', '/subjects/nobody', { schema: v1 })).json, {
      error_code: 40401,
      message: "Subject 'nobody' not found.",
    })
  })
  test('40401, 40402, 40403, 42202 on reads', async () => {
    assert.equal((await call(base, 'GET', '/subjects/nobody/versions')).status, 404)
    assert.equal(
      ((await call(base, 'GET', '/subjects/nobody/versions/1')).json as { error_code: number }).error_code,
      40401,
    )
    assert.deepEqual((await call(base, 'GET', '/subjects/users-value/versions/9')).json, {
      error_code: 40402,
      message: 'Version 9 not found.',
    })
    assert.equal(
      ((await call(base, 'GET', '/schemas/ids/999')).json as { error_code: number }).error_code,
      40403,
    )
    const invalid = await call(base, 'GET', '/subjects/users-value/versions/zero')
    assert.equal(invalid.status, 422)
    assert.equal((invalid.json as { error_code: number }).error_code, 42202)
    assert.equal(
      ((await call(base, 'GET', '/subjects/users-value/versions/0')).json as { error_code: number })
        .error_code,
      42202,
    )
  })
  test('GET /subjects and /schemas filter and page', async () => {
    assert.deepEqual((await call(base, 'GET', '/subjects?subjectPrefix=users')).json, ['users-value'])
    const latest = (await call(base, 'GET', '/schemas?subjectPrefix=users&latestOnly=true')).json as {
      version: number
    }[]
    assert.deepEqual(
      latest.map((each) => each.version),
      [2],
    )
    const paged = (await call(base, 'GET', '/schemas?offset=1&limit=1')).json as unknown[]
    assert.equal(paged.length, 1)
  })
  test('metadata and ruleSet are stored and returned as given', async () => {
    const metadata = { properties: { owner: 'team-a' } }
    const ruleSet = {
      domainRules: [{ name: 'r', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'true' }],
    }
    const registered = await call(base, 'POST', '/subjects/meta/versions', {
      schema: '"string"',
      metadata,
      ruleSet,
    })
    const read = (await call(base, 'GET', '/subjects/meta/versions/1')).json as Record<string, unknown>
    assert.deepEqual(read.metadata, metadata)
    assert.deepEqual(read.ruleSet, ruleSet)
    assert.equal(read.id, (registered.json as { id: number }).id)
  })
})

describe('compatibility', () => {
  test('40901 for an incompatible schema; verbose reasons; per-version tests', async () => {
    const refused = await call(base, 'POST', '/subjects/users-value/versions', {
      schema: v2NoDefault.replace('"age"', '"height"'),
    })
    assert.equal(refused.status, 409)
    assert.equal((refused.json as { error_code: number }).error_code, 40901)
    const quiet = await call(base, 'POST', '/compatibility/subjects/users-value/versions/latest', {
      schema: v2NoDefault.replace('"age"', '"height"'),
    })
    assert.deepEqual(quiet.json, { is_compatible: false })
    const verbose = await call(base, 'POST', '/compatibility/subjects/users-value/versions/1?verbose=true', {
      schema: v2,
    })
    assert.deepEqual(verbose.json, { is_compatible: true, messages: [] })
    const reasons = await call(base, 'POST', '/compatibility/subjects/users-value/versions?verbose=true', {
      schema: '"int"',
    })
    const body = reasons.json as { is_compatible: boolean; messages: string[] }
    assert.equal(body.is_compatible, false)
    assert.match(body.messages[0], /TYPE_MISMATCH/)
    assert.match(body.messages.at(-1) ?? '', /compatibility: 'BACKWARD'/)
    assert.deepEqual(
      (await call(base, 'POST', '/compatibility/subjects/fresh/versions', { schema: '"int"' })).json,
      { is_compatible: true },
    )
    assert.equal(
      (
        (await call(base, 'POST', '/compatibility/subjects/nobody/versions/1', { schema: '"int"' })).json as {
          error_code: number
        }
      ).error_code,
      40401,
    )
  })
  test('42201 for invalid schemas of each type', async () => {
    for (const body of [
      { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' },
      { schema: 'not json' },
      { schema: '{"type":"object","properties":{"a":{"type":12}}}', schemaType: 'JSON' },
      { schema: 'syntax = "proto3"; message M { Missing a = 1; }', schemaType: 'PROTOBUF' },
      { schema: '"string"', schemaType: 'XML' },
      { schema: '"string"', references: [{ name: 'x', subject: 'nobody', version: 1 }] },
    ]) {
      const answer = await call(base, 'POST', '/subjects/bad/versions', body)
      assert.equal(answer.status, 422, JSON.stringify(body))
      assert.equal((answer.json as { error_code: number }).error_code, 42201, JSON.stringify(answer.json))
    }
  })
})

describe('config and mode', () => {
  test('global and subject config, 40408, 42203, defaultToGlobal, DELETE', async () => {
    assert.deepEqual((await call(base, 'GET', '/config')).json, { compatibilityLevel: 'BACKWARD' })
    assert.deepEqual((await call(base, 'PUT', '/config', { compatibility: 'FULL' })).json, {
      compatibility: 'FULL',
    })
    assert.deepEqual((await call(base, 'GET', '/config')).json, { compatibilityLevel: 'FULL' })
    assert.deepEqual((await call(base, 'GET', '/config/users-value')).json, {
      error_code: 40408,
      message: "Subject 'users-value' does not have subject-level compatibility configured",
    })
    assert.deepEqual((await call(base, 'GET', '/config/users-value?defaultToGlobal=true')).json, {
      compatibilityLevel: 'FULL',
    })
    assert.deepEqual((await call(base, 'PUT', '/config/users-value', { compatibility: 'none' })).json, {
      compatibility: 'NONE',
    })
    assert.deepEqual((await call(base, 'GET', '/config/users-value')).json, { compatibilityLevel: 'NONE' })
    assert.equal(
      ((await call(base, 'PUT', '/config', { compatibility: 'SOMETIMES' })).json as { error_code: number })
        .error_code,
      42203,
    )
    assert.deepEqual((await call(base, 'DELETE', '/config/users-value')).json, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call(base, 'DELETE', '/config')).json, { compatibilityLevel: 'FULL' })
    assert.deepEqual((await call(base, 'GET', '/config')).json, { compatibilityLevel: 'BACKWARD' })
    assert.equal(
      ((await call(base, 'DELETE', '/config/nobody')).json as { error_code: number }).error_code,
      40401,
    )
  })
  test('modes: READONLY refuses writes with 42205; IMPORT needs force with schemas; 42204; 40409', async () => {
    assert.deepEqual((await call(base, 'GET', '/mode')).json, { mode: 'READWRITE' })
    assert.deepEqual((await call(base, 'PUT', '/mode/users-value', { mode: 'READONLY' })).json, {
      mode: 'READONLY',
    })
    const refused = await call(base, 'POST', '/subjects/users-value/versions', { schema: '"string"' })
    assert.equal((refused.json as { error_code: number }).error_code, 42205)
    assert.equal(
      ((await call(base, 'DELETE', '/subjects/users-value/versions/1')).json as { error_code: number })
        .error_code,
      42205,
    )
    assert.deepEqual((await call(base, 'DELETE', '/mode/users-value')).json, { mode: 'READONLY' })
    assert.equal(
      ((await call(base, 'GET', '/mode/users-value')).json as { error_code: number }).error_code,
      40409,
    )
    assert.deepEqual((await call(base, 'GET', '/mode/users-value?defaultToGlobal=true')).json, {
      mode: 'READWRITE',
    })
    assert.equal(
      ((await call(base, 'PUT', '/mode', { mode: 'SLEEPY' })).json as { error_code: number }).error_code,
      42204,
    )
    assert.equal(
      ((await call(base, 'PUT', '/mode', { mode: 'IMPORT' })).json as { error_code: number }).error_code,
      42205,
    )
    assert.deepEqual((await call(base, 'PUT', '/mode/imported', { mode: 'IMPORT' })).json, { mode: 'IMPORT' })
    const imported = await call(base, 'POST', '/subjects/imported/versions', {
      schema: '"bytes"',
      id: 500,
      version: 7,
    })
    assert.deepEqual(imported.json, { id: 500 })
    assert.deepEqual((await call(base, 'GET', '/subjects/imported/versions')).json, [7])
    assert.deepEqual((await call(base, 'DELETE', '/mode/imported')).json, { mode: 'IMPORT' })
    const chosen = await call(base, 'POST', '/subjects/imported/versions', { schema: '"float"', id: 900 })
    assert.equal((chosen.json as { error_code: number }).error_code, 42205)
    // After an import, new ids continue above the largest one seen.
    assert.deepEqual((await call(base, 'POST', '/subjects/next/versions', { schema: '"double"' })).json, {
      id: 501,
    })
  })
})

describe('deletion', () => {
  test('soft then permanent deletion of versions and subjects: 40404–40407, 42206', async () => {
    await call(base, 'POST', '/subjects/del/versions', { schema: '"string"' })
    await call(base, 'PUT', '/config/del', { compatibility: 'NONE' })
    await call(base, 'POST', '/subjects/del/versions', { schema: '"int"' })
    assert.equal(
      ((await call(base, 'DELETE', '/subjects/del/versions/1?permanent=true')).json as { error_code: number })
        .error_code,
      40407,
    )
    assert.deepEqual((await call(base, 'DELETE', '/subjects/del/versions/1')).json, 1)
    assert.equal(
      ((await call(base, 'DELETE', '/subjects/del/versions/1')).json as { error_code: number }).error_code,
      40406,
    )
    assert.deepEqual((await call(base, 'GET', '/subjects/del/versions')).json, [2])
    assert.deepEqual((await call(base, 'GET', '/subjects/del/versions?deleted=true')).json, [1, 2])
    assert.deepEqual((await call(base, 'DELETE', '/subjects/del/versions/1?permanent=true')).json, 1)
    assert.equal(
      ((await call(base, 'DELETE', '/subjects/del?permanent=true')).json as { error_code: number })
        .error_code,
      40405,
    )
    assert.deepEqual((await call(base, 'DELETE', '/subjects/del')).json, [2])
    assert.equal(
      ((await call(base, 'DELETE', '/subjects/del')).json as { error_code: number }).error_code,
      40404,
    )
    assert.deepEqual(
      (await call(base, 'GET', '/subjects?deleted=true')).json as string[],
      (await call(base, 'GET', '/subjects?deleted=true')).json as string[],
    )
    assert.ok(((await call(base, 'GET', '/subjects?deleted=true')).json as string[]).includes('del'))
    assert.ok(!((await call(base, 'GET', '/subjects')).json as string[]).includes('del'))
    assert.deepEqual((await call(base, 'DELETE', '/subjects/del?permanent=true')).json, [2])
    assert.equal(
      ((await call(base, 'GET', '/subjects/del/versions?deleted=true')).json as { error_code: number })
        .error_code,
      40401,
    )
    // Re-registering after a permanent delete starts again at version 1.
    await call(base, 'POST', '/subjects/del/versions', { schema: '"long"' })
    assert.deepEqual((await call(base, 'GET', '/subjects/del/versions')).json, [1])
  })
  test('a referenced version cannot be deleted (42206); referencedby lists the referrers', async () => {
    const address = JSON.stringify({
      type: 'record',
      name: 'Address',
      namespace: 'shop',
      fields: [{ name: 'city', type: 'string' }],
    })
    await call(base, 'POST', '/subjects/address/versions', { schema: address })
    const order = JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [{ name: 'to', type: 'shop.Address' }],
    })
    const registered = await call(base, 'POST', '/subjects/order/versions', {
      schema: order,
      references: [{ name: 'shop.Address', subject: 'address', version: 1 }],
    })
    assert.equal(registered.status, 200, JSON.stringify(registered.json))
    const id = (registered.json as { id: number }).id
    assert.deepEqual((await call(base, 'GET', '/subjects/address/versions/1/referencedby')).json, [id])
    assert.deepEqual((await call(base, 'GET', `/schemas/ids/${id}`)).json, {
      references: [{ name: 'shop.Address', subject: 'address', version: 1 }],
      schema: order,
    })
    const refused = await call(base, 'DELETE', '/subjects/address/versions/1')
    assert.equal(refused.status, 422)
    assert.equal((refused.json as { error_code: number }).error_code, 42206)
  })
})

describe('malformed input', () => {
  test('bad JSON 400, unknown field 422, wrong content type 415, oversize 413; the registry keeps serving', async () => {
    const badJson = await call(base, 'POST', '/subjects/x/versions', '{"schema":')
    assert.equal(badJson.status, 400)
    assert.equal((badJson.json as { error_code: number }).error_code, 400)
    const unknown = await call(base, 'POST', '/subjects/x/versions', { schema: '"string"', colour: 'red' })
    assert.deepEqual(unknown.json, { error_code: 422, message: 'Unrecognized field: colour' })
    assert.equal((await call(base, 'POST', '/subjects/x/versions', '[1,2]')).status, 422)
    assert.equal((await call(base, 'PUT', '/config', { compatibility: 'FULL', extra: 1 })).status, 422)
    assert.equal(
      (await call(base, 'POST', '/subjects/x/versions', { schema: '"string"' }, 'text/plain')).status,
      415,
    )
    const huge = await call(
      base,
      'POST',
      '/subjects/x/versions',
      `{"schema":"${'a'.repeat(17 * 1024 * 1024)}"}`,
    )
    assert.equal(huge.status, 413)
    assert.equal((await call(base, 'POST', '/subjects/x/versions', { schema: 12 })).status, 422)
    assert.equal((await call(base, 'GET', '/subjects/%E0%A4%A/versions')).status, 404)
    assert.deepEqual((await call(base, 'GET', '/')).json, {})
  })
})
