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

test('DELETE /contexts/{context}: refused while it has subjects (42211), then deleted (204)', async () => {
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.gone:a/versions', { schema: user })), 1)
  assert.ok(((await call(base, 'GET', '/contexts')).json as string[]).includes('.gone'))
  const notEmpty = { error_code: 42211, message: "The specified context '.gone' is not empty." }
  const refused = await call(base, 'DELETE', '/contexts/.gone')
  assert.equal(refused.status, 422)
  assert.deepEqual(refused.json, notEmpty)
  // A soft-deleted subject still counts, as in Confluent: delete it permanently first.
  assert.deepEqual((await call(base, 'DELETE', '/subjects/:.gone:a')).json, [1])
  assert.deepEqual((await call(base, 'DELETE', '/contexts/gone')).json, notEmpty)
  assert.deepEqual((await call(base, 'DELETE', '/subjects/:.gone:a?permanent=true')).json, [1])
  // The context's record keeps it listed without subjects, until it is deleted.
  assert.ok(((await call(base, 'GET', '/contexts')).json as string[]).includes('.gone'))
  const deleted = await call(base, 'DELETE', '/contexts/:.gone:')
  assert.equal(deleted.status, 204)
  assert.equal(deleted.text, '')
  assert.ok(!((await call(base, 'GET', '/contexts')).json as string[]).includes('.gone'))
  const again = await call(base, 'DELETE', '/contexts/.gone')
  assert.equal(again.status, 404)
  assert.deepEqual(again.json, { error_code: 404, message: "Context '.gone' not found." })
  const defaultContext = await call(base, 'DELETE', '/contexts/:.:')
  assert.equal(defaultContext.status, 422)
  assert.deepEqual(defaultContext.json, {
    error_code: 42205,
    message: 'The default context cannot be deleted',
  })
  assert.equal((await call(base, 'DELETE', '/contexts/.a:b')).status, 400)
  // Its ids are not handed out again while the registry runs (the context's largest id is kept).
  assert.equal(idOf(await call(base, 'POST', '/subjects/:.gone:b/versions', { schema: order })), 2)
})

test('the .__GLOBAL context holds config and mode across contexts, below a subject and its context', async () => {
  const notConfigured = await call(base, 'GET', '/config/:.__GLOBAL:')
  assert.equal(notConfigured.status, 404)
  assert.equal((notConfigured.json as { error_code: number }).error_code, 40408)
  assert.deepEqual((await call(base, 'PUT', '/config/:.__GLOBAL:', { compatibility: 'NONE' })).json, {
    compatibility: 'NONE',
  })
  assert.deepEqual((await call(base, 'GET', '/config/:.__GLOBAL:')).json, { compatibilityLevel: 'NONE' })
  assert.deepEqual((await call(base, 'GET', '/config/:.purple:x?defaultToGlobal=true')).json, {
    compatibilityLevel: 'NONE',
  })
  // NONE from `.__GLOBAL`: unrelated schemas follow each other in any context.
  for (const schema of [user, order])
    assert.equal((await call(base, 'POST', '/subjects/:.purple:x/versions', { schema })).status, 200)
  // The context's own level is above it.
  assert.equal((await call(base, 'PUT', '/config/:.purple:', { compatibility: 'BACKWARD' })).status, 200)
  const third = avroRecord('Third', [{ name: 't', type: 'int' }])
  const incompatible = await call(base, 'POST', '/subjects/:.purple:x/versions', { schema: third })
  assert.equal(incompatible.status, 409)
  // The root /config is the default context's own level: it does not reach other contexts.
  assert.equal((await call(base, 'PUT', '/config', { compatibility: 'FULL' })).status, 200)
  assert.deepEqual((await call(base, 'GET', '/config/:.cyan:x?defaultToGlobal=true')).json, {
    compatibilityLevel: 'NONE',
  })
  assert.deepEqual((await call(base, 'DELETE', '/config')).json, { compatibilityLevel: 'FULL' })
  // With no root level set, the default context falls back to `.__GLOBAL` too.
  assert.deepEqual((await call(base, 'GET', '/config')).json, { compatibilityLevel: 'NONE' })

  // Mode: READONLY in `.__GLOBAL` refuses writes everywhere, unless a context sets its own.
  assert.deepEqual((await call(base, 'PUT', '/mode/:.__GLOBAL:', { mode: 'READONLY' })).json, {
    mode: 'READONLY',
  })
  const readOnly = await call(base, 'POST', '/subjects/:.teal:y/versions', { schema: user })
  assert.equal(readOnly.status, 422)
  assert.equal((readOnly.json as { error_code: number }).error_code, 42205)
  assert.equal((await call(base, 'POST', '/subjects/plain/versions', { schema: user })).status, 422)
  assert.deepEqual((await call(base, 'GET', '/mode')).json, { mode: 'READONLY' })
  assert.equal((await call(base, 'PUT', '/mode', { mode: 'READWRITE' })).status, 200)
  assert.equal((await call(base, 'POST', '/subjects/plain/versions', { schema: user })).status, 200)
  assert.equal((await call(base, 'POST', '/subjects/:.teal:y/versions', { schema: user })).status, 422)
  assert.deepEqual((await call(base, 'DELETE', '/mode/:.__GLOBAL:')).json, { mode: 'READONLY' })
  assert.equal((await call(base, 'POST', '/subjects/:.teal:y/versions', { schema: user })).status, 200)
  assert.equal((await call(base, 'DELETE', '/mode')).status, 200)
  assert.deepEqual((await call(base, 'DELETE', '/config/:.__GLOBAL:')).json, { compatibilityLevel: 'NONE' })
  const gone = await call(base, 'DELETE', '/config/:.__GLOBAL:')
  assert.equal(gone.status, 404)
  assert.equal((gone.json as { error_code: number }).error_code, 40408)
  assert.deepEqual((await call(base, 'GET', '/config')).json, { compatibilityLevel: 'BACKWARD' })
})

test('the wildcard context :*: in subjectPrefix lists subjects of every context', async () => {
  for (const subject of ['wild-a', ':.w1:wild-b', ':.w2:wild-c', ':.w2:other'])
    assert.equal((await call(base, 'POST', `/subjects/${subject}/versions`, { schema: user })).status, 200)
  assert.deepEqual((await call(base, 'GET', '/subjects?subjectPrefix=:*:wild')).json, [
    ':.w1:wild-b',
    ':.w2:wild-c',
    'wild-a',
  ])
  assert.deepEqual(
    (await call(base, 'GET', '/subjects?subjectPrefix=:*:')).json,
    (await call(base, 'GET', '/subjects')).json,
  )
  const schemas = (await call(base, 'GET', '/schemas?subjectPrefix=:*:wild')).json as { subject: string }[]
  assert.deepEqual(
    schemas.map((schema) => schema.subject),
    [':.w1:wild-b', ':.w2:wild-c', 'wild-a'],
  )
  // A subject under the wildcard cannot be registered (it could never be read back).
  const refused = await call(base, 'POST', '/subjects/:*:wild-z/versions', { schema: user })
  assert.equal(refused.status, 422)
  assert.equal((refused.json as { error_code: number }).error_code, 42208)
})
