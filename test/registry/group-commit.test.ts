// Goal: concurrent registrations share durable writes (group commit, issue 15 "a write is acknowledged
// only after the record is durable"): 56 registrations sent at once by separate curl processes all
// succeed with Confluent's answers (distinct schemas get distinct ids 1..40, the same schema the same
// id, each new subject version 1), every answered id reads back, and `_schemas` took fewer appends
// (each one fdatasync) than records. The SIGKILL half (every answered id survives): test/crash/
// registry-sigkill.test.ts.
// Method: the CLI broker (real disk, real fdatasync) on free ports; one `curl` process sending 56
// POSTs at once (`--parallel --parallel-immediate`, one connection each; 56 curl processes would spend
// the test's time in process start-up on a loaded machine): 40 distinct Avro schemas under subjects gc-0..39, the first 8 of them sent twice, and the
// schema of gc-0 under 8 more subjects; reads back with fetch; then the registry's counters on /metrics.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'

let broker: BrokerProcess
let registry: string
let httpUrl: string

before(async () => {
  const httpPort = await freePort()
  broker = await startBrokerProcess({ args: ['--http-addr', `127.0.0.1:${httpPort}`] })
  registry = broker.registryUrl ?? assert.fail('no registry line')
  httpUrl = `http://127.0.0.1:${httpPort}`
})
after(() => broker.stop())

const schemaNumbered = (n: number): string =>
  JSON.stringify({ type: 'record', name: `G${n}`, fields: [{ name: 'f', type: 'long' }] })

interface Posted {
  status: number
  body: unknown
}

/** POSTs every JSON body to its URL at once from one curl process; the answers in request order. */
async function curlParallel(requests: readonly { url: string; body: unknown }[]): Promise<Posted[]> {
  const dir = await makeTempDir('streamline-curl-')
  try {
    const args = ['--parallel', '--parallel-immediate', '--parallel-max', String(requests.length)]
    requests.forEach((request, index) => {
      if (index > 0) args.push('--next')
      args.push('-sS', '-o', join(dir, `${index}.json`), '-w', `${index} %{http_code}\n`)
      args.push('-H', 'Content-Type: application/vnd.schemaregistry.v1+json')
      args.push('--data-binary', JSON.stringify(request.body), request.url)
    })
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('curl', args, (error, out, stderr) =>
        error === null ? resolve(out) : reject(new Error(`curl failed: ${error.message} ${stderr}`)),
      )
    })
    const statuses = new Map<number, number>()
    for (const line of stdout.trim().split('\n')) {
      const [index, status] = line.split(' ').map(Number)
      statuses.set(index, status)
    }
    return Promise.all(
      requests.map(async (_, index) => ({
        status: statuses.get(index) ?? 0,
        body: JSON.parse(await readFile(join(dir, `${index}.json`), 'utf8')) as unknown,
      })),
    )
  } finally {
    await removeTempDir(dir)
  }
}

async function counter(name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  const line = text.split('\n').find((each) => each.startsWith(`${name} `))
  return Number(line?.split(' ')[1] ?? Number.NaN)
}

test('56 concurrent registrations from curl --parallel: Confluent answers, fewer durable appends than records', async () => {
  // Load the registry (and create `_schemas`) first, so the burst measures registrations alone.
  assert.equal((await fetch(`${registry}/subjects`)).status, 200)
  const requests: { subject: string; schema: number }[] = []
  for (let n = 0; n < 40; n++) requests.push({ subject: `gc-${n}`, schema: n })
  for (let n = 0; n < 8; n++) requests.push({ subject: `gc-${n}`, schema: n })
  for (let n = 0; n < 8; n++) requests.push({ subject: `dup-${n}`, schema: 0 })
  const answers = await curlParallel(
    requests.map((request) => ({
      url: `${registry}/subjects/${request.subject}/versions`,
      body: { schema: schemaNumbered(request.schema) },
    })),
  )
  const idOfSchema = new Map<number, number>()
  answers.forEach((answer, index) => {
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const { id } = answer.body as { id: number }
    const { schema } = requests[index]
    assert.equal(idOfSchema.get(schema) ?? id, id, `schema ${schema} got two ids`)
    idOfSchema.set(schema, id)
  })
  assert.deepEqual(
    [...idOfSchema.values()].sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, index) => index + 1),
  )
  const read = async (path: string): Promise<unknown> => (await fetch(`${registry}${path}`)).json()
  for (const [schema, id] of idOfSchema)
    assert.equal(((await read(`/schemas/ids/${id}`)) as { schema: string }).schema, schemaNumbered(schema))
  for (const subject of ['gc-0', 'gc-7', 'gc-39', 'dup-0', 'dup-7'])
    assert.deepEqual(await read(`/subjects/${subject}/versions`), [1])
  assert.deepEqual(await read(`/schemas/ids/${idOfSchema.get(0)}/subjects`), [
    ...Array.from({ length: 8 }, (_, n) => `dup-${n}`),
    'gc-0',
  ])

  const records = await counter('streamline_registry_store_records_total')
  const appends = await counter('streamline_registry_store_appends_total')
  assert.equal(records, 48, '40 schemas + 8 more subject-versions; the repeats wrote nothing')
  assert.ok(appends < records, `${appends} appends for ${records} records: no group commit`)
  process.stderr.write(`group commit: ${records} records in ${appends} appends\n`)
})
