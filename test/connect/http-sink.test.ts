// Goal: the HTTP sink (Confluent's HttpSinkConnector options) POSTs batches with its headers and basic
// auth, retries 503 and 429 answers with backoff until the batch is accepted, and sends the records of
// a batch refused for good (400) to the error topic with the failure in headers. A SIGKILL of the
// worker while it sends loses no record, and the records sent twice are only those after the last
// offset commit (at-least-once). auth.type=OAUTH2 fetches a client-credentials token (again after a
// 401) and the result topic gets the answer of every accepted record.
// Method: node:http servers in the test (one failing on purpose: 503, then 429, then 200 for each
// batch, 400 for a batch holding a "poison" record; one slow and counting; an OAuth2 token endpoint
// and an API checking its bearer tokens); a real broker process on a kept data directory, killed with
// SIGKILL; kafkajs produces the records and reads the error and result topics; connectors via curl.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor } from '../helpers/connect.ts'
import { readTopic } from './topic-reader.ts'

let broker: BrokerProcess | null = null
/** No initial rebalance delay: every sink's group and every reader joins at once (a shorter test). */
const quickGroups = ['--groups-initial-rebalance-delay-ms', '0']
let dataDir = ''
let server: Server | null = null
const accepted: unknown[] = []
const attempts = new Map<string, number>()
let lastHeaders: IncomingMessage['headers'] = {}

before(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      lastHeaders = request.headers
      const seen = (attempts.get(body) ?? 0) + 1
      attempts.set(body, seen)
      if (body.includes('poison')) response.writeHead(400).end('{"error":"poison"}')
      else if (seen === 1) response.writeHead(503).end('busy')
      else if (seen === 2) response.writeHead(429).end('slow down')
      else {
        accepted.push(JSON.parse(body))
        response.writeHead(200).end('{}')
      }
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  dataDir = await makeTempDir('streamline-http-sink-')
  broker = await startBrokerProcess({ dataDir, args: quickGroups })
})
after(async () => {
  await broker?.stop()
  await new Promise((resolve) => server?.close(resolve))
  if (dataDir !== '') await removeTempDir(dataDir)
})

/** A node:http server on a free loopback port; `handle` answers each request with its body read. */
async function listen(
  handle: (request: IncomingMessage, body: string) => { status: number; body: string; delayMs?: number },
): Promise<{ url: string; close: () => Promise<void> }> {
  const http = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      const answer = handle(request, body)
      const reply = () => response.writeHead(answer.status).end(answer.body)
      if (answer.delayMs === undefined) reply()
      else setTimeout(reply, answer.delayMs)
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

test('HTTP sink: batches, retries on 503/429, permanent failures to the error topic', {
  timeout: 120_000,
}, async () => {
  const live = broker as BrokerProcess
  const kafka = new Kafka({
    clientId: 'http-sink-test',
    brokers: [live.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const values = Array.from({ length: 15 }, (_, n) => JSON.stringify(n === 10 ? { n, poison: true } : { n }))
  await producer.send({ topic: 'http-out', messages: values.map((value) => ({ value })) })
  await producer.disconnect()
  const address = (server as Server).address() as AddressInfo
  const serverPort = address.port
  const created = await curl('POST', `${connectUrlOf(live)}/connectors`, {
    name: 'http-sink',
    config: {
      'connector.class': 'io.confluent.connect.http.HttpSinkConnector',
      topics: 'http-out',
      'http.api.url': `http://127.0.0.1:${serverPort}/ingest`,
      headers: 'X-Test:yes|X-Other:two',
      'auth.type': 'BASIC',
      'connection.user': 'alice',
      'connection.password': 'secret',
      'batch.max.size': '5',
      'batch.json.as.array': 'true',
      'max.retries': '5',
      'retry.backoff.ms': '50',
      'reporter.error.topic.name': 'http-errors',
      'reporter.bootstrap.servers': live.bootstrap,
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    },
  })
  assert.equal(created.status, 201, created.text)
  const errors = await readTopic(live.bootstrap, 'http-errors', 5)
  await waitFor('two accepted batches', async () => (accepted.length >= 2 ? true : undefined))
  assert.deepEqual(accepted, [[0, 1, 2, 3, 4].map((n) => ({ n })), [5, 6, 7, 8, 9].map((n) => ({ n }))])
  for (const body of accepted) assert.equal(attempts.get(JSON.stringify(body)), 3, '503, 429, then 200')
  assert.equal(lastHeaders['x-test'], 'yes')
  assert.equal(lastHeaders['x-other'], 'two')
  assert.equal(lastHeaders.authorization, `Basic ${Buffer.from('alice:secret').toString('base64')}`)
  assert.deepEqual(
    errors.map((record) => JSON.parse(record.value ?? '') as unknown),
    [{ n: 10, poison: true }, { n: 11 }, { n: 12 }, { n: 13 }, { n: 14 }],
  )
  assert.equal(errors[0].headers['http.status'], '400')
  assert.equal(errors[0].headers['__connect.errors.offset'], '10')
  assert.equal(errors[0].headers['__connect.errors.topic'], 'http-out')
  assert.match(errors[0].headers['__connect.errors.exception.message'], /^HTTP 400: \{"error":"poison"\}$/)
  const poisonBody = `[${values.slice(10).join(',')}]`
  assert.equal(attempts.get(poisonBody), 1, 'a 400 is not retried')
})

test('HTTP sink: a SIGKILL while sending loses nothing; only records after the last commit are sent again', {
  timeout: 150_000,
}, async () => {
  const received: number[] = []
  let preKill: number[] | null = null
  const api = await listen((_request, body) => {
    for (const item of JSON.parse(body) as Array<{ id: number }>) received.push(item.id)
    return { status: 200, body: '{}', delayMs: 20 }
  })
  try {
    const total = 400
    const kafka = new Kafka({
      clientId: 'http-crash',
      brokers: [(broker as BrokerProcess).bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const wave = (from: number, to: number) =>
      producer.send({
        topic: 'http-crash',
        messages: Array.from({ length: to - from }, (_, index) => ({
          value: JSON.stringify({ id: from + index }),
        })),
      })
    await wave(0, 200)
    const created = await curl('POST', `${connectUrlOf(broker as BrokerProcess)}/connectors`, {
      name: 'http-crash-sink',
      config: {
        'connector.class': 'HttpSinkConnector',
        topics: 'http-crash',
        'http.api.url': `${api.url}/ingest`,
        'batch.max.size': '10',
        'batch.json.as.array': 'true',
        'retry.backoff.ms': '100',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
    })
    assert.equal(created.status, 201, created.text)
    // The first wave sent and committed; the second is being sent when the worker is killed.
    const admin = kafka.admin()
    await admin.connect()
    const committed = async () => {
      const [topic] = await admin.fetchOffsets({ groupId: 'connect-http-crash-sink', topics: ['http-crash'] })
      return Number(topic?.partitions[0]?.offset ?? -1)
    }
    await waitFor('the first wave committed', async () => ((await committed()) === 200 ? true : undefined))
    await wave(200, total)
    await producer.disconnect()
    await waitFor('260 records at the API', async () => (received.length >= 260 ? true : undefined))
    const lastCommit = await committed()
    await admin.disconnect()
    await (broker as BrokerProcess).kill()
    preKill = [...received]
    broker = await startBrokerProcess({ dataDir, args: quickGroups })
    // No REST call: the stored connector resumes from its committed offset.
    await waitFor(
      `all ${total} records at the API`,
      async () => (new Set(received).size === total ? true : undefined),
      120_000,
    )
    assert.ok((preKill as number[]).length < total, 'the kill came before the end')
    // The records are one run 0..m-1 before the kill, then, from the committed offset r <= m, the run
    // r..total-1: nothing lost, order kept, and only r..m-1 (after the last commit) sent twice.
    let firstRun = 0
    while (firstRun < received.length && received[firstRun] === firstRun) firstRun++
    const resumedAt = firstRun === received.length ? firstRun : received[firstRun]
    assert.ok(firstRun >= 260, `${firstRun} records in order before the kill`)
    assert.ok(resumedAt <= firstRun, `resumed at ${resumedAt} after ${firstRun} were sent`)
    assert.ok(resumedAt >= lastCommit, `resumed at ${resumedAt}, below the commit at ${lastCommit}`)
    assert.deepEqual(
      received.slice(firstRun),
      Array.from({ length: total - resumedAt }, (_, index) => resumedAt + index).slice(
        firstRun === received.length ? total : 0,
      ),
    )
  } finally {
    await api.close()
  }
})

test('HTTP sink: OAUTH2 client-credentials tokens (renewed after a 401), the result topic, a refused client', {
  timeout: 120_000,
}, async () => {
  const tokenRequests: Array<{ authorization: string | undefined; form: Record<string, string> }> = []
  const tokens = new Set<string>()
  const tokenEndpoint = await listen((request, body) => {
    const form = Object.fromEntries(new URLSearchParams(body))
    tokenRequests.push({ authorization: request.headers.authorization, form })
    const basic = `Basic ${Buffer.from('sink-client:s3cret').toString('base64')}`
    const viaForm = form.client_id === 'sink-client' && form.client_secret === 's3cret'
    if (form.grant_type !== 'client_credentials' || (request.headers.authorization !== basic && !viaForm))
      return { status: 401, body: '{"error":"invalid_client"}' }
    const token = `tok-${tokens.size + 1}`
    tokens.add(token)
    return {
      status: 200,
      body: JSON.stringify({ token_type: 'bearer', expires_in: 3600, access_token: token }),
    }
  })
  let accepted = 0
  const api = await listen((request) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
    if (!tokens.has(token)) return { status: 401, body: 'unauthorized' }
    accepted++
    if (accepted === 1) tokens.delete(token) // revoked: the next request gets a 401
    return { status: 200, body: JSON.stringify({ accepted }) }
  })
  try {
    const live = broker as BrokerProcess
    const kafka = new Kafka({ clientId: 'http-oauth', brokers: [live.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    await producer.send({
      topic: 'http-oauth',
      messages: [0, 1, 2, 3].map((n) => ({ key: `k${n}`, value: JSON.stringify({ n }) })),
    })
    await producer.disconnect()
    const common = {
      'connector.class': 'io.confluent.connect.http.HttpSinkConnector',
      topics: 'http-oauth',
      'http.api.url': `${api.url}/ingest`,
      'auth.type': 'OAUTH2',
      'oauth2.token.url': `${tokenEndpoint.url}/token`,
      'oauth2.client.id': 'sink-client',
      'oauth2.client.scope': 'write',
      'batch.max.size': '2',
      'batch.json.as.array': 'true',
      'max.retries': '2',
      'retry.backoff.ms': '50',
      'reporter.bootstrap.servers': live.bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    }
    const base = connectUrlOf(live)
    const missing = await curl('POST', `${base}/connectors`, { name: 'http-oauth-missing', config: common })
    assert.equal(missing.status, 201, missing.text)
    const created = await curl('POST', `${base}/connectors`, {
      name: 'http-oauth-sink',
      config: { ...common, 'oauth2.client.secret': 's3cret', 'reporter.result.topic.name': 'http-results' },
    })
    assert.equal(created.status, 201, created.text)
    // oauth2.client.auth.mode=url with a wrong secret: the token endpoint refuses it (401, not retried)
    // and the records go to the error topic with the reason.
    const refused = await curl('POST', `${base}/connectors`, {
      name: 'http-oauth-refused',
      config: {
        ...common,
        'oauth2.client.secret': 'wrong',
        'oauth2.client.auth.mode': 'url',
        'reporter.error.topic.name': 'http-oauth-errors',
      },
    })
    assert.equal(refused.status, 201, refused.text)
    const results = await readTopic(live.bootstrap, 'http-results', 4)
    assert.deepEqual(
      results.map((record) => [
        record.key,
        record.value,
        record.headers.input_record_topic,
        record.headers.input_record_partition,
        record.headers.input_record_offset,
        record.headers.status_code,
      ]),
      [
        ['"k0"', '{"accepted":1}', 'http-oauth', '0', '0', '200'],
        ['"k1"', '{"accepted":1}', 'http-oauth', '0', '1', '200'],
        ['"k2"', '{"accepted":2}', 'http-oauth', '0', '2', '200'],
        ['"k3"', '{"accepted":2}', 'http-oauth', '0', '3', '200'],
      ],
    )
    const headerMode = tokenRequests.filter((entry) => entry.authorization !== undefined)
    assert.equal(headerMode.length, 2, 'one token, then a new one after the 401')
    assert.deepEqual(headerMode[0].form, { grant_type: 'client_credentials', scope: 'write' })
    assert.equal(headerMode[0].authorization, `Basic ${Buffer.from('sink-client:s3cret').toString('base64')}`)

    const errors = await readTopic(live.bootstrap, 'http-oauth-errors', 4)
    assert.deepEqual(
      errors.map((record) => record.value),
      [0, 1, 2, 3].map((n) => JSON.stringify({ n })),
    )
    assert.equal(errors[0].headers['http.status'], '401')
    assert.match(
      errors[0].headers['__connect.errors.exception.message'],
      /^HTTP 401: OAuth2 token request to http:\/\/127\.0\.0\.1:\d+\/token failed: HTTP 401: \{"error":"invalid_client"\}$/,
    )
    const urlMode = tokenRequests.find((entry) => entry.form.client_secret === 'wrong')
    assert.deepEqual(urlMode?.form, {
      grant_type: 'client_credentials',
      scope: 'write',
      client_id: 'sink-client',
      client_secret: 'wrong',
    })
    assert.equal(urlMode?.authorization, undefined)
    const missingStatus = (await waitFor('the connector without a secret FAILED', async () => {
      const answer = await curl('GET', `${base}/connectors/http-oauth-missing/status`)
      const body = answer.body as { connector: { state: string; trace?: string } }
      return body.connector.state === 'FAILED' ? body.connector : undefined
    })) as { trace: string }
    assert.match(missingStatus.trace, /auth.type=OAUTH2 needs oauth2.client.secret/)
  } finally {
    await api.close()
    await tokenEndpoint.close()
  }
})
