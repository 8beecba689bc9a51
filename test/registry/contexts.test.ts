// Goal: contexts behave as Confluent's (issue 15, "/contexts and context-qualified subjects"): a
// subject `:.ctx:name` lives in context `.ctx`, each context has its own id sequence starting at 1, the
// same schema gets one id per context, `GET /schemas/ids/{id}` reads the default context unless
// `subject` names another, the `/contexts/{ctx}/…` URL prefix works as Confluent's ContextFilter
// rewrites it, references resolve in the referrer's context, a context-level config applies to its
// subjects, and malformed context or subject names get Confluent's codes (400, 42208). The default
// context is unchanged. Restart and SIGKILL: test/crash/registry-sigkill.test.ts.
// Method: an embedded broker (startStreamline, free ports); plain fetch calls, exact bodies; the
// @kafkajs/confluent-schema-registry client pointed at `…/contexts/.team` encodes and decodes there.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { avroRecord, call } from './helpers.ts'

let streamline: Streamline
let base: string

before(async () => {
  streamline = await startStreamline()
  base = streamline.registryUrl ?? assert.fail('registry disabled')
})
after(() => streamline.close())

const user = avroRecord('User', [{ name: 'name', type: 'string' }])
const order = avroRecord('Order', [{ name: 'n', type: 'long' }])
const idOf = (answer: { json: unknown }): number => (answer.json as { id: number }).id

test('each context has its own ids, starting at 1; the default context is unchanged', async () => {
  assert.equal(idOf(await call(base, 'POST', '/subjects/users/versions', { schema: user })), 1)
  assert.equal(idOf(await call(base, 'POST', '/subjects/orders/versions', { schema: order })), 2)
  // The same schema in another context: that context's first id, not the default context's id.
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.blue:orders/versions', { schema: order })), 1)
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.blue:users/versions', { schema: user })), 2)
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.blue:more/versions', { schema: user })), 2)
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.green:x/versions', { schema: user })), 1)
  assert.deepEqual((await call(base, 'GET', '/contexts')).json, ['.', '.blue', '.green'])

  // By id: the default context unless `subject` names another.
  assert.equal(await schemaOf('/schemas/ids/1'), user)
  assert.equal(await schemaOf('/schemas/ids/1?subject=:.blue:orders'), order)
  assert.equal(await schemaOf('/schemas/ids/1?subject=:.blue:'), order)
  assert.equal(await schemaOf('/schemas/ids/1?subject=:.green:x'), user)
  // An unqualified subject not using the id in the default context: the context whose subject does.
  assert.equal(await schemaOf('/schemas/ids/2?subject=more'), user)
  // A qualified subject that does not use the id: not found, as in Confluent.
  const missing = await call(base, 'GET', '/schemas/ids/1?subject=:.blue:users')
  assert.equal(missing.status, 404)
  assert.equal((missing.json as { error_code: number }).error_code, 40403)
  assert.deepEqual((await call(base, 'GET', '/schemas/ids/3?subject=:.blue:')).status, 404)
  assert.deepEqual((await call(base, 'GET', '/schemas/ids/2/versions?subject=:.blue:')).json, [
    { subject: ':.blue:more', version: 1 },
    { subject: ':.blue:users', version: 1 },
  ])
  assert.deepEqual((await call(base, 'GET', '/schemas/ids/2/subjects')).json, ['orders'])
  assert.equal(
    (
      (await call(base, 'GET', '/schemas/ids/1?subject=:.blue:orders&fetchMaxId=true')).json as {
        maxId: number
      }
    ).maxId,
    2,
  )
  assert.equal(
    ((await call(base, 'GET', '/schemas/ids/1?fetchMaxId=true')).json as { maxId: number }).maxId,
    2,
  )
  // The version routes answer the id of the subject's context.
  assert.deepEqual((await call(base, 'GET', '/subjects/:.blue:users/versions/1')).json, {
    subject: ':.blue:users',
    version: 1,
    id: 2,
    schema: user,
  })
})

async function schemaOf(path: string): Promise<string> {
  const answer = await call(base, 'GET', path)
  assert.equal(answer.status, 200, `${path}: ${answer.text}`)
  return (answer.json as { schema: string }).schema
}

test('the /contexts/{context}/… prefix works as Confluent rewrites it', async () => {
  const registered = await call(base, 'POST', '/contexts/.red/subjects/events/versions', { schema: order })
  assert.equal(idOf(registered), 1)
  assert.deepEqual((await call(base, 'GET', '/subjects/:.red:events/versions')).json, [1])
  assert.equal(await schemaOf('/contexts/.red/schemas/ids/1'), order)
  assert.deepEqual((await call(base, 'GET', '/contexts/.red/subjects')).json, [':.red:events'])
  assert.deepEqual((await call(base, 'GET', '/contexts/red/subjects/events/versions/latest')).json, {
    subject: ':.red:events',
    version: 1,
    id: 1,
    schema: order,
  })
  // A context-level config: the subjects of the context follow it unless they have their own.
  assert.deepEqual((await call(base, 'PUT', '/contexts/.red/config', { compatibility: 'NONE' })).json, {
    compatibility: 'NONE',
  })
  assert.deepEqual((await call(base, 'GET', '/config/:.red:')).json, { compatibilityLevel: 'NONE' })
  assert.equal(
    (await call(base, 'POST', '/subjects/:.red:events/versions', { schema: user })).status,
    200,
    'NONE from the context lets an unrelated schema in',
  )
  const refused = await call(base, 'POST', '/subjects/orders/versions', { schema: user })
  assert.equal(refused.status, 409, 'the default context keeps BACKWARD')
  // The default context named in the URL (`:.:`; a bare `.` segment is removed by URL normalisation)
  // is the default context.
  assert.deepEqual((await call(base, 'GET', '/contexts/:.:/subjects/users/versions')).json, [1])
})

test('references resolve in the referrer context', async () => {
  const address = avroRecord('Address', [{ name: 'street', type: 'string' }])
  const person = avroRecord('Person', [{ name: 'home', type: 'Address' }])
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.ref:address/versions', { schema: address })), 1)
  const answer = await call(base, 'POST', '/subjects/:.ref:person/versions', {
    schema: person,
    references: [{ name: 'Address', subject: 'address', version: 1 }],
  })
  assert.equal(answer.status, 200, answer.text)
  assert.equal(idOf(answer), 2)
  assert.deepEqual((await call(base, 'GET', '/subjects/:.ref:address/versions/1/referencedby')).json, [2])
  // The default context has no subject `address`: the same reference does not resolve there.
  const unresolved = await call(base, 'POST', '/subjects/person/versions', {
    schema: person,
    references: [{ name: 'Address', subject: 'address', version: 1 }],
  })
  assert.equal((unresolved.json as { error_code: number }).error_code, 42201)
})

test('malformed context and subject names get Confluent codes; the registry keeps serving', async () => {
  const colon = await call(base, 'GET', '/contexts/.a:b/subjects')
  assert.equal(colon.status, 400)
  assert.deepEqual(colon.json, { error_code: 400, message: 'Context name cannot contain a colon' })
  for (const subject of ['__GLOBAL', ':.blue:__EMPTY', ':.__GLOBAL:x', 'tab%09name']) {
    const answer = await call(base, 'POST', `/subjects/${subject}/versions`, { schema: user })
    assert.equal(answer.status, 422, subject)
    assert.deepEqual(answer.json, {
      error_code: 42208,
      message: `The specified subject '${decodeURIComponent(subject)}' is not a valid.`,
    })
  }
  assert.equal((await call(base, 'GET', '/contexts')).status, 200)
})

test('@kafkajs/confluent-schema-registry pointed at a context URL encodes and decodes there', async () => {
  const registry = new SchemaRegistry({ host: `${base}/contexts/.kjs` })
  const schema = avroRecord('Kjs', [{ name: 'v', type: 'int' }])
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: 'kjs-value' })
  assert.equal(id, 1)
  const encoded = await registry.encode(id, { v: 7 })
  assert.equal(encoded.readUInt32BE(1), 1)
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { v: 7 })
  assert.deepEqual((await call(base, 'GET', '/subjects/:.kjs:kjs-value/versions')).json, [1])
})
