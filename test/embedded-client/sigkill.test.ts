// Goal: what the in-process producer had acknowledged (acks=all, idempotent, and a committed
// transaction) in dataDir mode survives a SIGKILL of the process, and an in-process consumer of the
// restarted embedded broker reads it back exactly (keys, values, timestamps, offsets).
// Method: a child process (fixtures/produce-until-killed.ts) produces and prints each acknowledged
// offset; once 50 are acknowledged the test SIGKILLs it mid-stream and starts startStreamline() on the
// same data dir in this process.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir, waitForExit } from '../helpers/broker-process.ts'

const script = fileURLToPath(new URL('./fixtures/produce-until-killed.ts', import.meta.url))
let dataDir = ''

after(async () => {
  if (dataDir !== '') await removeTempDir(dataDir)
})

test('acknowledged in-process writes survive SIGKILL', { timeout: 90_000 }, async () => {
  dataDir = await makeTempDir()
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const acked: { partition: number; offset: number; timestamp: number }[] = []
  const lines = createInterface({ input: child.stdout })
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)))
    lines.on('line', (line) => {
      acked.push(
        (JSON.parse(line) as { acked: { partition: number; offset: number; timestamp: number } }).acked,
      )
      if (acked.length === 51) resolve()
    })
  })
  child.removeAllListeners('exit')
  child.kill('SIGKILL')
  assert.equal(await waitForExit(child, 20_000), true)

  const streamline = await startStreamline({ dataDir })
  try {
    const consumer = streamline.consumer({ fromBeginning: true, isolationLevel: 'read_committed' })
    await consumer.subscribe('durable')
    const read = new Map<string, { key: string; value: string; timestamp: number }>()
    const ackedOnZero = acked.filter((entry) => entry.partition === 0)
    for await (const record of consumer) {
      read.set(`${record.partition}:${record.offset}`, {
        key: record.key?.toString() ?? '',
        value: record.value?.toString() ?? '',
        timestamp: record.timestamp,
      })
      const zeroDone = ackedOnZero.every((entry) => read.has(`0:${entry.offset}`))
      if (zeroDone && read.has('1:0')) break
    }
    await consumer.close()
    assert.deepEqual(read.get('1:0'), { key: 'txn', value: 'committed', timestamp: 1_700_000_000_000 })
    ackedOnZero.forEach((entry, index) => {
      assert.equal(entry.offset, index)
      assert.deepEqual(read.get(`0:${entry.offset}`), {
        key: `k${index}`,
        value: `v${index}`,
        timestamp: 1_700_000_000_000 + index,
      })
    })
  } finally {
    await streamline.close()
  }
})
