// Goal: the schema registry acknowledges a registration only once its `_schemas` record is durable:
// after a SIGKILL during a stream of registrations, every id the registry answered is there after the
// restart with the same schema, subject and version; no id was handed out twice; ids given after the
// restart are above every id given before (issue 15, "Storage and the broker"). Configs, modes and
// soft deletions written before the kill survive too.
// Method: the CLI broker on free ports and a data dir the test owns. Set-up writes a global config
// (NONE), a subject config, a subject mode and a soft-deleted subject. Then 4 concurrent HTTP clients
// register distinct Avro schemas (one record name each) under 5 subjects for ~1.5 s, recording every
// answered id; the broker is SIGKILLed while they run, restarted on the same data dir, and every
// recorded registration is read back by id and by subject-version. Bounded to ~20 s.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'

interface Registered {
  subject: string
  schema: string
  id: number
}

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, json: await response.json() }
}

function schemaNumbered(n: number): string {
  return JSON.stringify({ type: 'record', name: `R${n}`, fields: [{ name: 'f', type: 'long' }] })
}

async function registerUntilFailure(
  registry: string,
  worker: number,
  acknowledged: Registered[],
): Promise<void> {
  for (let n = worker; ; n += 4) {
    const subject = `crash-${n % 5}`
    const schema = schemaNumbered(n)
    let answer: { status: number; json: unknown }
    try {
      answer = await call(`${registry}/subjects/${subject}/versions`, 'POST', { schema })
    } catch {
      return // the broker was killed: this request has no answer, so it was not acknowledged
    }
    assert.equal(answer.status, 200, JSON.stringify(answer.json))
    acknowledged.push({ subject, schema, id: (answer.json as { id: number }).id })
  }
}

test('every acknowledged registration survives SIGKILL; no id is reused', { timeout: 60_000 }, async () => {
  const dataDir = await makeTempDir('streamline-registry-crash-')
  let broker: BrokerProcess | undefined
  try {
    broker = await startBrokerProcess({ dataDir })
    let registry = broker.registryUrl ?? assert.fail('no registry line')
    assert.equal((await call(`${registry}/config`, 'PUT', { compatibility: 'NONE' })).status, 200)
    assert.equal(
      (await call(`${registry}/config/crash-0`, 'PUT', { compatibility: 'FULL_TRANSITIVE' })).status,
      200,
    )
    assert.equal((await call(`${registry}/config/crash-0`, 'PUT', { compatibility: 'NONE' })).status, 200)
    assert.equal((await call(`${registry}/mode/frozen`, 'PUT', { mode: 'READONLY' })).status, 200)
    assert.equal(
      (await call(`${registry}/subjects/gone/versions`, 'POST', { schema: '"string"' })).status,
      200,
    )
    assert.equal((await call(`${registry}/subjects/gone`, 'DELETE')).status, 200)

    const acknowledged: Registered[] = []
    const workers = [0, 1, 2, 3].map((worker) => registerUntilFailure(registry, worker, acknowledged))
    await sleep(1500)
    await broker.kill()
    await Promise.all(workers)
    assert.ok(acknowledged.length > 20, `only ${acknowledged.length} registrations before the kill`)

    broker = await startBrokerProcess({ dataDir })
    registry = broker.registryUrl ?? assert.fail('no registry line')
    const ids = new Map<number, string>()
    for (const registered of acknowledged) {
      const byId = await call(`${registry}/schemas/ids/${registered.id}`, 'GET')
      assert.equal(byId.status, 200, `id ${registered.id} lost`)
      assert.equal((byId.json as { schema: string }).schema, registered.schema)
      assert.equal(
        ids.get(registered.id) ?? registered.schema,
        registered.schema,
        `id ${registered.id} given twice`,
      )
      ids.set(registered.id, registered.schema)
      const versions = await call(`${registry}/schemas/ids/${registered.id}/versions`, 'GET')
      assert.deepEqual(
        (versions.json as { subject: string }[]).map((each) => each.subject),
        [registered.subject],
      )
    }
    assert.deepEqual((await call(`${registry}/config`, 'GET')).json, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call(`${registry}/config/crash-0`, 'GET')).json, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call(`${registry}/mode/frozen`, 'GET')).json, { mode: 'READONLY' })
    assert.deepEqual((await call(`${registry}/subjects`, 'GET')).json, [
      'crash-0',
      'crash-1',
      'crash-2',
      'crash-3',
      'crash-4',
    ])
    assert.deepEqual((await call(`${registry}/subjects/gone/versions?deleted=true`, 'GET')).json, [1])

    const maxAcknowledged = Math.max(...acknowledged.map((registered) => registered.id))
    const after = await call(`${registry}/subjects/after/versions`, 'POST', {
      schema: schemaNumbered(1_000_000),
    })
    assert.equal(after.status, 200)
    assert.ok(
      (after.json as { id: number }).id > maxAcknowledged,
      'an id from before the kill was handed out again',
    )
  } finally {
    await broker?.stop()
    await removeTempDir(dataDir)
  }
})
