// Goal: the schema registry acknowledges a registration only once its `_schemas` record is durable:
// after a SIGKILL during a stream of registrations, every id the registry answered is there after the
// restart with the same schema, subject and version; no id was handed out twice; ids given after the
// restart are above every id given before (issue 15, "Storage and the broker"). Configs, modes and
// soft deletions written before the kill survive too. Registrations are group-committed (many share
// one append and fdatasync) and ids are per context (`:.blue:` subjects count from 1 on their own):
// both hold across the kill, each context's ids unique and growing after the restart.
// Method: the CLI broker on free ports and a data dir the test owns. Set-up writes a global config
// (NONE) and the `.__GLOBAL` context's (NONE, what lets `.blue` take unrelated schemas), a subject
// config, a subject mode, a soft-deleted subject, an emptied context and a deleted one (CONTEXT records). Then 12 concurrent HTTP clients
// (half in the default context, half in `.blue`) register distinct Avro schemas (one record name each)
// under 5 subjects per context, recording every answered id, until each context has 15 answers; the
// registry's /metrics shows fewer appends than records (group commit); the broker is SIGKILLed while
// they run (registrations in flight), restarted on the
// same data dir, and every recorded registration is read back by id (in its context) and by
// subject-version. Bounded to ~25 s.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'

interface Registered {
  context: string
  subject: string
  schema: string
  id: number
}

const workerCount = 12
const contextOfWorker = (worker: number): string => (worker % 2 === 0 ? '.' : '.blue')
const qualified = (context: string, subject: string): string =>
  context === '.' ? subject : `:${context}:${subject}`

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) }
}

function schemaNumbered(n: number): string {
  return JSON.stringify({ type: 'record', name: `R${n}`, fields: [{ name: 'f', type: 'long' }] })
}

async function registerUntilFailure(
  registry: string,
  worker: number,
  acknowledged: Registered[],
): Promise<void> {
  const context = contextOfWorker(worker)
  for (let n = worker; ; n += workerCount) {
    const subject = qualified(context, `crash-${n % 5}`)
    const schema = schemaNumbered(n)
    let answer: { status: number; json: unknown }
    try {
      answer = await call(`${registry}/subjects/${subject}/versions`, 'POST', { schema })
    } catch {
      return // the broker was killed: this request has no answer, so it was not acknowledged
    }
    assert.equal(answer.status, 200, JSON.stringify(answer.json))
    acknowledged.push({ context, subject, schema, id: (answer.json as { id: number }).id })
  }
}

/** Every answered id reads back in its context, with its schema and only its subject; none twice. */
async function assertAcknowledgedSurvived(registry: string, acknowledged: Registered[]): Promise<void> {
  const ids = new Map<string, string>()
  for (const registered of acknowledged) {
    const inContext = `subject=${encodeURIComponent(registered.subject)}`
    const byId = await call(`${registry}/schemas/ids/${registered.id}?${inContext}`, 'GET')
    assert.equal(byId.status, 200, `id ${registered.id} of ${registered.subject} lost`)
    assert.equal((byId.json as { schema: string }).schema, registered.schema)
    const key = `${registered.context} ${registered.id}`
    assert.equal(ids.get(key) ?? registered.schema, registered.schema, `id ${key} given twice`)
    ids.set(key, registered.schema)
    const versions = await call(`${registry}/schemas/ids/${registered.id}/versions?${inContext}`, 'GET')
    assert.deepEqual(
      (versions.json as { subject: string }[]).map((each) => each.subject),
      [registered.subject],
    )
  }
}

/** A registration after the restart gets, in each context, an id above every id answered before. */
async function assertNoIdReused(registry: string, acknowledged: Registered[]): Promise<void> {
  for (const context of ['.', '.blue']) {
    const maxAcknowledged = Math.max(
      ...acknowledged.filter((registered) => registered.context === context).map((each) => each.id),
    )
    const after = await call(`${registry}/subjects/${qualified(context, 'after')}/versions`, 'POST', {
      schema: schemaNumbered(1_000_000),
    })
    assert.equal(after.status, 200)
    assert.ok(
      (after.json as { id: number }).id > maxAcknowledged,
      `an id of context ${context} from before the kill was handed out again`,
    )
  }
  // Each context counted from 1: the contexts' ids overlap.
  assert.ok(acknowledged.some((registered) => registered.context === '.blue' && registered.id === 1))
}

/** Configs (root, `.__GLOBAL`, a subject's), an emptied context and a deleted one, before the stream. */
async function writeSettingsAndContexts(registry: string): Promise<void> {
  assert.equal((await call(`${registry}/config`, 'PUT', { compatibility: 'NONE' })).status, 200)
  // The root /config is the default context's; `.blue` registers under the `.__GLOBAL` level.
  assert.equal((await call(`${registry}/config/:.__GLOBAL:`, 'PUT', { compatibility: 'NONE' })).status, 200)
  // Contexts are records: `.empty` stays listed after its subject is gone, `.dropped` was deleted.
  for (const context of ['.empty', '.dropped']) {
    const subject = `${registry}/subjects/:${context}:x`
    assert.equal((await call(`${subject}/versions`, 'POST', { schema: '"string"' })).status, 200)
    assert.equal((await call(subject, 'DELETE')).status, 200)
    assert.equal((await call(`${subject}?permanent=true`, 'DELETE')).status, 200)
  }
  assert.equal((await call(`${registry}/contexts/.dropped`, 'DELETE')).status, 204)
  assert.equal(
    (await call(`${registry}/config/crash-0`, 'PUT', { compatibility: 'FULL_TRANSITIVE' })).status,
    200,
  )
  assert.equal((await call(`${registry}/config/crash-0`, 'PUT', { compatibility: 'NONE' })).status, 200)
}

test('every acknowledged registration survives SIGKILL; no id is reused', { timeout: 60_000 }, async () => {
  const dataDir = await makeTempDir('streamline-registry-crash-')
  let broker: BrokerProcess | undefined
  try {
    const httpPort = await freePort()
    broker = await startBrokerProcess({ dataDir, args: ['--http-addr', `127.0.0.1:${httpPort}`] })
    let registry = broker.registryUrl ?? assert.fail('no registry line')
    await writeSettingsAndContexts(registry)
    assert.equal((await call(`${registry}/mode/frozen`, 'PUT', { mode: 'READONLY' })).status, 200)
    assert.equal(
      (await call(`${registry}/subjects/gone/versions`, 'POST', { schema: '"string"' })).status,
      200,
    )
    assert.equal((await call(`${registry}/subjects/gone`, 'DELETE')).status, 200)

    const acknowledged: Registered[] = []
    const workers = Array.from({ length: workerCount }, (_, worker) =>
      registerUntilFailure(registry, worker, acknowledged),
    )
    // Kill once each context has answers (or after 10 s): a condition, not a guess of the machine's speed.
    const perContext = (context: string): number =>
      acknowledged.filter((registered) => registered.context === context).length
    for (let waited = 0; waited < 10_000 && Math.min(perContext('.'), perContext('.blue')) < 15; waited += 50)
      await sleep(50)
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
    const counter = (name: string): number =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${name} `))
          ?.split(' ')[1],
      )
    const appends = counter('streamline_registry_store_appends_total')
    const records = counter('streamline_registry_store_records_total')
    assert.ok(appends < records, `${appends} appends for ${records} records: no group commit`)
    await broker.kill()
    await Promise.all(workers)
    for (const context of ['.', '.blue'])
      assert.ok(perContext(context) >= 15, `only ${perContext(context)} registrations in ${context}`)
    process.stderr.write(
      `${acknowledged.length} registrations answered before the kill; at the last scrape ${records} records in ${appends} appends\n`,
    )

    broker = await startBrokerProcess({ dataDir })
    registry = broker.registryUrl ?? assert.fail('no registry line')
    await assertAcknowledgedSurvived(registry, acknowledged)
    assert.deepEqual((await call(`${registry}/config`, 'GET')).json, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call(`${registry}/config/:.__GLOBAL:`, 'GET')).json, {
      compatibilityLevel: 'NONE',
    })
    assert.deepEqual((await call(`${registry}/contexts`, 'GET')).json, ['.', '.blue', '.empty'])
    assert.deepEqual((await call(`${registry}/config/crash-0`, 'GET')).json, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call(`${registry}/mode/frozen`, 'GET')).json, { mode: 'READONLY' })
    const subjects = (await call(`${registry}/subjects`, 'GET')).json as string[]
    for (const registered of acknowledged)
      assert.ok(subjects.includes(registered.subject), registered.subject)
    const possible = ['.', '.blue'].flatMap((context) =>
      [0, 1, 2, 3, 4].map((n) => qualified(context, `crash-${n}`)),
    )
    assert.deepEqual(
      subjects.filter((subject) => !possible.includes(subject)),
      [],
    )
    assert.deepEqual((await call(`${registry}/subjects/gone/versions?deleted=true`, 'GET')).json, [1])

    await assertNoIdReused(registry, acknowledged)
  } finally {
    await broker?.stop()
    await removeTempDir(dataDir)
  }
})
