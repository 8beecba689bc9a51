// Goal: the consumer-group endpoints (list, describe with members/assignment/offsets/lag, delete,
// reset offsets with dry run) and the WebSocket tail answer with exact data and exact error codes;
// offsets reset over REST are what kafkajs (a client we did not write) then fetches.
// Method: an embedded broker (in memory); kafkajs commits offsets (admin.setOffsets) and runs a live
// consumer for the member and NON_EMPTY_GROUP cases; the tail is read with the `ws` client.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import WebSocket from 'ws'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from './http-client.ts'

let streamline: Streamline
let kafka: Kafka
let api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>

before(async () => {
  streamline = await startStreamline()
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  api = (method, path, body) => call(baseUrl, method, path, body)
  kafka = new Kafka({
    clientId: 'http-groups-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  assert.equal((await api('POST', '/api/v1/topics', { name: 'events', partitions: 2 })).status, 201)
  const messages = Array.from({ length: 5 }, (_, index) => ({
    partition: 0,
    value: `e${index}`,
    timestamp: 1000 * (index + 1),
  }))
  assert.equal((await api('POST', '/api/v1/topics/events/messages', { messages })).status, 200)
})

after(async () => {
  await streamline.close()
})

/** kafkajs's setOffsets joins the group with a consumer and leaves; the group settles to Empty after
 * the coordinator's next tick. Waits (bounded) for that state. */
async function waitForGroupState(group: string, state: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (fields(await api('GET', `/api/v1/groups/${group}`)).state === state) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail(`group ${group} did not reach ${state}`)
}

test('describe, reset (dry run and real), delete a group with committed offsets', async () => {
  const admin = kafka.admin()
  await admin.connect()
  await admin.setOffsets({ groupId: 'billing', topic: 'events', partitions: [{ partition: 0, offset: '2' }] })
  await waitForGroupState('billing', 'Empty')
  assert.deepEqual(await api('GET', '/api/v1/groups'), {
    status: 200,
    body: { groups: [{ groupId: 'billing', state: 'Empty', protocolType: 'consumer' }] },
  })
  const offsets = (committedOffset: number) => [
    {
      topic: 'events',
      partition: 0,
      committedOffset,
      logEndOffset: 5,
      lag: 5 - committedOffset,
      metadata: '',
    },
  ]
  assert.deepEqual(await api('GET', '/api/v1/groups/billing'), {
    status: 200,
    body: {
      groupId: 'billing',
      state: 'Empty',
      protocolType: 'consumer',
      protocol: '',
      members: [],
      offsets: offsets(2),
    },
  })

  const dryRun = await api('POST', '/api/v1/groups/billing/offsets/reset', {
    topic: 'events',
    to: 'earliest',
    dryRun: true,
  })
  assert.deepEqual(dryRun.body, {
    groupId: 'billing',
    dryRun: true,
    partitions: [
      { topic: 'events', partition: 0, previousOffset: 2, newOffset: 0 },
      { topic: 'events', partition: 1, previousOffset: null, newOffset: 0 },
    ],
  })
  assert.deepEqual(fields(await api('GET', '/api/v1/groups/billing')).offsets, offsets(2))

  const byTime = await api('POST', '/api/v1/groups/billing/offsets/reset', {
    topic: 'events',
    partitions: [0],
    to: 'timestamp',
    timestamp: 3500,
  })
  assert.deepEqual(fields(byTime).partitions, [
    { topic: 'events', partition: 0, previousOffset: 2, newOffset: 3 },
  ])
  const toOffset = await api('POST', '/api/v1/groups/billing/offsets/reset', {
    topic: 'events',
    partitions: [0],
    to: 'offset',
    offset: 4,
  })
  assert.deepEqual(fields(toOffset).partitions, [
    { topic: 'events', partition: 0, previousOffset: 3, newOffset: 4 },
  ])
  const fetched = await admin.fetchOffsets({ groupId: 'billing', topics: ['events'] })
  assert.deepEqual(fetched[0].partitions.find((partition) => partition.partition === 0)?.offset, '4')
  const latest = await api('POST', '/api/v1/groups/billing/offsets/reset', {
    topic: 'events',
    partitions: [0],
    to: 'latest',
  })
  assert.deepEqual(fields(latest).partitions, [
    { topic: 'events', partition: 0, previousOffset: 4, newOffset: 5 },
  ])
  // Shift by n from the committed offset (Kafka's --shift-by), kept within the log.
  const shift = async (by: number) =>
    fields(
      await api('POST', '/api/v1/groups/billing/offsets/reset', {
        topic: 'events',
        partitions: [0],
        to: 'shift',
        shift: by,
      }),
    ).partitions
  assert.deepEqual(await shift(-2), [{ topic: 'events', partition: 0, previousOffset: 5, newOffset: 3 }])
  assert.deepEqual(await shift(10), [{ topic: 'events', partition: 0, previousOffset: 3, newOffset: 5 }])
  assert.deepEqual(await shift(-100), [{ topic: 'events', partition: 0, previousOffset: 5, newOffset: 0 }])
  const shifted = await admin.fetchOffsets({ groupId: 'billing', topics: ['events'] })
  assert.deepEqual(shifted[0].partitions.find((partition) => partition.partition === 0)?.offset, '0')
  assert.deepEqual(
    await api('POST', '/api/v1/groups/billing/offsets/reset', { topic: 'events', to: 'shift' }),
    { status: 400, body: { code: 'INVALID_REQUEST', message: 'to=shift needs shift' } },
  )

  assert.deepEqual(
    await api('POST', '/api/v1/groups/billing/offsets/reset', { topic: 'nope', to: 'latest' }),
    {
      status: 404,
      body: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'topic nope does not exist' },
    },
  )
  assert.deepEqual(
    await api('POST', '/api/v1/groups/billing/offsets/reset', { topic: 'events', to: 'offset' }),
    {
      status: 400,
      body: { code: 'INVALID_REQUEST', message: 'to=offset needs offset' },
    },
  )

  assert.deepEqual(await api('DELETE', '/api/v1/groups/billing'), { status: 204, body: null })
  assert.deepEqual(await api('GET', '/api/v1/groups/billing'), {
    status: 404,
    body: { code: 'GROUP_ID_NOT_FOUND', message: 'group billing: GROUP_ID_NOT_FOUND' },
  })
  assert.deepEqual(await api('DELETE', '/api/v1/groups/billing'), {
    status: 404,
    body: { code: 'GROUP_ID_NOT_FOUND', message: 'group billing: GROUP_ID_NOT_FOUND' },
  })
  await admin.disconnect()
})

test('a group with a live kafkajs member: members and assignment shown, delete and reset refused', {
  timeout: 60_000,
}, async () => {
  const consumer = kafka.consumer({ groupId: 'live', sessionTimeout: 10_000 })
  await consumer.connect()
  await consumer.subscribe({ topic: 'events', fromBeginning: true })
  let consumed = 0
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async () => {
          consumed += 1
          if (consumed === 5) resolve()
        },
      })
      .catch(reject)
  })
  try {
    const group = fields(await api('GET', '/api/v1/groups/live'))
    assert.equal(group.state, 'Stable')
    assert.equal(group.protocolType, 'consumer')
    const members = group.members as Array<{ clientId: string; assignment: unknown }>
    assert.equal(members.length, 1)
    assert.equal(members[0].clientId, 'http-groups-test')
    assert.deepEqual(members[0].assignment, [{ topic: 'events', partitions: [0, 1] }])
    assert.deepEqual(await api('DELETE', '/api/v1/groups/live'), {
      status: 409,
      body: { code: 'NON_EMPTY_GROUP', message: 'group live: NON_EMPTY_GROUP' },
    })
    assert.deepEqual(
      await api('POST', '/api/v1/groups/live/offsets/reset', { topic: 'events', to: 'earliest' }),
      {
        status: 409,
        body: {
          code: 'NON_EMPTY_GROUP',
          message: 'group live is Stable; stop its consumers before resetting offsets',
        },
      },
    )
  } finally {
    await consumer.disconnect()
  }
})

function nextMessages(socket: WebSocket, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const received: unknown[] = []
    socket.on('message', (data) => {
      received.push(JSON.parse(String(data)))
      if (received.length === count) resolve(received)
    })
    socket.once('error', reject)
  })
}

test('WebSocket tail: existing and new messages, unknown topic refused', async () => {
  const baseUrl = (streamline.httpUrl ?? '').replace('http://', 'ws://')
  const socket = new WebSocket(`${baseUrl}/api/v1/topics/events/tail?partition=0&from=3`)
  const received = nextMessages(socket, 3)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  await api('POST', '/api/v1/topics/events/messages', {
    messages: [{ partition: 0, key: 'live', value: 'new', timestamp: 9000 }],
  })
  const text = (data: string) => ({ encoding: 'text', data })
  assert.deepEqual(await received, [
    { topic: 'events', partition: 0, offset: 3, timestamp: 4000, key: null, value: text('e3'), headers: [] },
    { topic: 'events', partition: 0, offset: 4, timestamp: 5000, key: null, value: text('e4'), headers: [] },
    {
      topic: 'events',
      partition: 0,
      offset: 5,
      timestamp: 9000,
      key: text('live'),
      value: text('new'),
      headers: [],
    },
  ])
  socket.close()

  const unknown = new WebSocket(`${baseUrl}/api/v1/topics/ghost/tail`)
  const frames = nextMessages(unknown, 1)
  const closed = new Promise<number>((resolve) => unknown.once('close', (code) => resolve(code)))
  assert.deepEqual(await frames, [
    { error: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'topic ghost does not exist' } },
  ])
  assert.equal(await closed, 1008)
})
