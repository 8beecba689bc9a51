// Goal: `startStreamline` runs several full brokers in one process, each with its own log, ports,
// cluster id and metrics; one with a data dir keeps its data across a close and a restart.
// Method: two in-memory brokers and one on a temporary data dir; kafkajs (a client we did not write)
// produces to each and reads back; the REST API and /metrics of each are checked to be separate.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { call, fields } from './http-client.ts'
import { scrape, sumOf } from './prometheus-text.ts'

async function produce(streamline: Streamline, topic: string, values: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'embedded-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) })
  await producer.disconnect()
}

async function valuesOf(streamline: Streamline, topic: string): Promise<string[]> {
  const page = fields(
    await call(streamline.httpUrl ?? '', 'GET', `/api/v1/topics/${topic}/partitions/0/messages`),
  )
  return (page.messages as Array<{ value: { data: string } }>).map((message) => message.value.data)
}

test('two in-process brokers are independent', { timeout: 60_000 }, async () => {
  const first = await startStreamline()
  const second = await startStreamline({ topics: { numPartitions: 1 } })
  try {
    assert.notEqual(first.bootstrap, second.bootstrap)
    assert.notEqual(first.httpUrl, second.httpUrl)
    assert.notEqual(first.clusterId, second.clusterId)
    await produce(first, 'shared-name', ['a1', 'a2'])
    await produce(second, 'shared-name', ['b1'])
    assert.deepEqual(await valuesOf(first, 'shared-name'), ['a1', 'a2'])
    assert.deepEqual(await valuesOf(second, 'shared-name'), ['b1'])
    assert.equal(
      sumOf(await scrape(first.httpUrl ?? ''), 'streamline_topic_records_in_total', { topic: 'shared-name' }),
      2,
    )
    assert.equal(
      sumOf(await scrape(second.httpUrl ?? ''), 'streamline_topic_records_in_total', {
        topic: 'shared-name',
      }),
      1,
    )
  } finally {
    await Promise.all([first.close(), second.close()])
  }
})

test('a data dir broker keeps its records across close and restart; close is idempotent', {
  timeout: 60_000,
}, async () => {
  const dataDir = await makeTempDir()
  try {
    const first = await startStreamline({ dataDir, httpEnabled: true })
    await produce(first, 'kept', ['x', 'y'])
    await Promise.all([first.close(), first.close()])
    const again = await startStreamline({ dataDir })
    try {
      assert.equal(again.clusterId, first.clusterId)
      assert.deepEqual(await valuesOf(again, 'kept'), ['x', 'y'])
    } finally {
      await again.close()
    }
  } finally {
    await removeTempDir(dataDir)
  }
})

test('invalid embedded options are refused with the key named', async () => {
  await assert.rejects(startStreamline({ topics: { numPartitions: 0 } }), {
    code: 'SL_ERR_CONFIG',
    message: 'topics.numPartitions: Too small: expected number to be >=1',
  })
  await assert.rejects(startStreamline({ listenAddress: 'x' } as never), {
    code: 'SL_ERR_CONFIG',
    message: 'listenAddress: unknown key',
  })
})
