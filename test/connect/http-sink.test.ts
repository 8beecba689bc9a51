// Goal: the HTTP sink (Confluent's HttpSinkConnector options) POSTs batches with its headers and basic
// auth, retries 503 and 429 answers with backoff until the batch is accepted, and sends the records of
// a batch refused for good (400) to the error topic with the failure in headers.
// Method: a node:http server in the test that fails on purpose (503, then 429, then 200 for each
// batch; 400 for a batch holding a "poison" record); a real broker process; kafkajs produces the
// records before the connector is created with curl, and reads the error topic.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor } from '../helpers/connect.ts'
import { readTopic } from './topic-reader.ts'

let broker: BrokerProcess | null = null
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
  broker = await startBrokerProcess()
})
after(async () => {
  await broker?.stop()
  await new Promise((resolve) => server?.close(resolve))
})

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
