// The service over real HTTP with an in-memory Streamline broker (one for this file): posted events
// are produced through the in-process client and come back from GET in order with their offsets, a
// Kafka consumer over the socket (@platformatic/kafka) sees the same records, and an invalid body is
// refused before anything is produced.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { Consumer, stringDeserializers } from '@platformatic/kafka'
import { startStreamline } from 'streamline'
import { buildApp } from '../src/app.js'

let streamline
let service
let server
let baseUrl

before(async () => {
  // No 3 s wait for more members before the test consumer's group forms (Kafka's initial delay).
  streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 } })
  service = await buildApp({ streamline, topic: 'orders' })
  server = service.app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  baseUrl = `http://127.0.0.1:${server.address().port}`
})

after(async () => {
  if (server !== undefined) await new Promise((resolve) => server.close(resolve))
  await service?.close()
  await streamline?.close()
})

async function post(body) {
  const response = await fetch(`${baseUrl}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

test('posted events are produced and read back in log order', async () => {
  assert.deepEqual(await post({ type: 'order-created', data: { id: 1, total: 30 } }), {
    status: 201,
    body: { partition: 0, offset: 0 },
  })
  assert.deepEqual(await post({ type: 'order-paid', data: { id: 1 } }), {
    status: 201,
    body: { partition: 0, offset: 1 },
  })

  const response = await fetch(`${baseUrl}/events`)
  assert.equal(response.status, 200)
  const events = await response.json()
  assert.deepEqual(
    events.map(({ offset, type, data }) => ({ offset, type, data })),
    [
      { offset: 0, type: 'order-created', data: { id: 1, total: 30 } },
      { offset: 1, type: 'order-paid', data: { id: 1 } },
    ],
  )
  for (const event of events) assert.ok(Math.abs(Date.now() - event.time) < 60_000, `time ${event.time}`)
})

test('a Kafka consumer reads the same log', async () => {
  const consumer = new Consumer({
    clientId: 'express-service-test',
    groupId: 'express-service-test',
    bootstrapBrokers: [streamline.bootstrap],
    deserializers: stringDeserializers,
  })
  const stream = await consumer.consume({ topics: ['orders'], mode: 'earliest' })
  const seen = []
  for await (const message of stream) {
    seen.push([Number(message.offset), message.key, message.value])
    if (seen.length === 2) break
  }
  await stream.close()
  await consumer.close()
  assert.deepEqual(seen, [
    [0, 'order-created', '{"id":1,"total":30}'],
    [1, 'order-paid', '{"id":1}'],
  ])
})

test('an invalid event is refused with 400 and not produced', async () => {
  const refused = await post({ data: { id: 2 } })
  assert.equal(refused.status, 400)
  assert.match(refused.body.message, /required property 'type'/)
  const malformed = await fetch(`${baseUrl}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":',
  })
  assert.equal(malformed.status, 400)
  const events = await (await fetch(`${baseUrl}/events`)).json()
  assert.equal(events.length, 2)
})
