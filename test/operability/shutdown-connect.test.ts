// Goal: SIGTERM stops a broker whose built-in Connect worker runs a connector: the process exits 0 in
// a bounded time, and what the connector wrote is kept. (Found while merging issue 16: Connect was
// stopped after the broker had begun holding requests, so its final offset commit waited on a broker
// that no longer answered, and `streamline` never exited.)
// Method: the real CLI with Connect on a free port; a FileStreamSource connector created through the
// Connect REST API copies 100 lines into a topic (checked with kafkajs); then SIGTERM, and the exit
// code and the time to exit are asserted; a restart serves the 100 records.

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { startCli } from './cli-process.ts'

/** The Connect REST URL from the broker's "connect listening" log line. */
function connectUrlIn(output: string): string {
  for (const line of output.split('\n')) {
    if (!line.includes('"connect listening"')) continue
    const parsed = JSON.parse(line) as { host: string; port: number }
    return `http://${parsed.host}:${parsed.port}`
  }
  throw new Error(`no "connect listening" line\n${output}`)
}

async function countRecords(bootstrap: string, topic: string, expected: number): Promise<number> {
  const admin = new Kafka({
    clientId: 'shutdown-connect',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin()
  await admin.connect()
  try {
    const deadline = Date.now() + 30_000
    for (;;) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      const count = offsets.reduce((sum, partition) => sum + Number(partition.high), 0)
      if (count >= expected || Date.now() > deadline) return count
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } finally {
    await admin.disconnect()
  }
}

test('SIGTERM with a running connector exits 0 within the shutdown bound and keeps its records', {
  timeout: 120_000,
}, async () => {
  const dataDir = await makeTempDir()
  try {
    const input = join(dataDir, 'lines.txt')
    await writeFile(input, Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n') + '\n')
    const broker = await startCli(['--data-dir', dataDir])
    const created = await fetch(`${connectUrlIn(broker.output())}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'lines',
        config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' },
      }),
    })
    assert.equal(created.status, 201, await created.text())
    assert.equal(await countRecords(broker.kafka, 'lines', 100), 100)

    const signalledAt = Date.now()
    broker.child.kill('SIGTERM')
    assert.equal(await broker.exited, 0, broker.output())
    const exitMs = Date.now() - signalledAt
    assert.ok(exitMs < 10_000, `exited after ${exitMs} ms`)
    assert.ok(broker.output().includes('"msg":"broker stopped"'))

    const restarted = await startCli(['--data-dir', dataDir])
    try {
      assert.equal(await countRecords(restarted.kafka, 'lines', 100), 100)
    } finally {
      restarted.child.kill('SIGTERM')
      assert.equal(await restarted.exited, 0, restarted.output())
    }
  } finally {
    await removeTempDir(dataDir)
  }
})
