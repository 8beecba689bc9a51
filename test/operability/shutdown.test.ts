// Goal: SIGTERM during a produce run with acks=all loses no acknowledged record, the process exits 0
// after flushing and writing the clean-shutdown marker, and the restart trusts the files (the marker
// is consumed: no recovery scan, see src/storage/partition-open.ts).
// Method: the real CLI on a temporary data dir; four kafkajs producers (a client we did not write)
// send one record per request with acks=all in parallel; after 200 acknowledgements the broker gets
// SIGTERM while requests are in flight. Every value acknowledged before the stop must be read back
// after a restart (admin API browse), exactly once.

import assert from 'node:assert/strict'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { startCli } from './cli-process.ts'
import { call, fields } from './http-client.ts'

const markerFile = '.clean-shutdown'

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

async function producerLoop(
  kafka: Kafka,
  id: number,
  acknowledged: string[],
  stopAfter: () => void,
): Promise<void> {
  const producer = kafka.producer({ retry: { retries: 0 } })
  await producer.connect()
  try {
    for (let sequence = 0; ; sequence += 1) {
      const value = `p${id}-${sequence}`
      await producer.send({ topic: 'durable', acks: -1, messages: [{ value }] })
      acknowledged.push(value)
      if (acknowledged.length === 200) stopAfter()
    }
  } catch {
    // the broker went away: this producer's run ends; only acknowledged values count
  } finally {
    await producer.disconnect().catch(() => undefined)
  }
}

async function readAll(http: string): Promise<string[]> {
  const values: string[] = []
  for (let offset = 0; ; ) {
    const page = fields(
      await call(http, 'GET', `/api/v1/topics/durable/partitions/0/messages?offset=${offset}&limit=1000`),
    )
    const messages = page.messages as Array<{ value: { data: string } }>
    values.push(...messages.map((message) => message.value.data))
    if (messages.length === 0) return values
    offset = page.nextOffset as number
  }
}

test('SIGTERM during an acks=all produce run loses nothing; the restart skips recovery', {
  timeout: 120_000,
}, async () => {
  const dataDir = await makeTempDir()
  try {
    const broker = await startCli(['--data-dir', dataDir])
    assert.equal(
      (await call(broker.http, 'POST', '/api/v1/topics', { name: 'durable', partitions: 1 })).status,
      201,
    )
    const kafka = new Kafka({
      clientId: 'shutdown-test',
      brokers: [broker.kafka],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      requestTimeout: 10_000,
    })
    const acknowledged: string[] = []
    let signalled = false
    const stop = (): void => {
      if (signalled) return
      signalled = true
      broker.child.kill('SIGTERM')
    }
    await Promise.all([0, 1, 2, 3].map((id) => producerLoop(kafka, id, acknowledged, stop)))
    const acknowledgedAtStop = [...acknowledged]
    assert.equal(await broker.exited, 0, broker.output())
    assert.ok(broker.output().includes('"msg":"broker stopped"'))
    assert.ok(await exists(join(dataDir, markerFile)), 'clean-shutdown marker written')
    assert.ok(acknowledgedAtStop.length >= 200)

    const restarted = await startCli(['--data-dir', dataDir])
    try {
      assert.equal(await exists(join(dataDir, markerFile)), false, 'marker consumed by the clean open')
      assert.equal(restarted.output().includes('recovery'), false)
      const stored = await readAll(restarted.http)
      assert.equal(new Set(stored).size, stored.length, 'no duplicates')
      const storedSet = new Set(stored)
      assert.deepEqual(
        acknowledgedAtStop.filter((value) => !storedSet.has(value)),
        [],
      )
    } finally {
      restarted.child.kill('SIGTERM')
      assert.equal(await restarted.exited, 0)
    }
  } finally {
    await removeTempDir(dataDir)
  }
})
