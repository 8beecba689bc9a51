// Goal: an acknowledged durable append survives SIGKILL: after every restart, each acknowledged batch
// is in the log exactly once, at the offset it was given, and the log is in order with no duplicates.
// Method: a child process (storage-crash-writer.ts) appends durable batches with concurrent appenders
// and prints an ack line after each append resolved; the parent kills it with SIGKILL at a random
// moment, reopens the data dir (recovery), and checks every ack against the records read back.
// Repeated many times on the same data dir (alternating clean and unclean closes by the checker),
// bounded to ~25 s in total. No timing assertions: the random delays only vary where the kill lands.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openLogManager } from '../../src/storage/log-manager.ts'
import { decodeRecordsOf, quietLogger, temporaryDirectory } from '../../src/storage/testing/batches.ts'

const writerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'storage-crash-writer.ts')
const totalBudgetMs = 25_000
const iterationsMax = 15
const iterationsMin = 3

interface Ack {
  partition: number
  offset: number
  value: string
  count: number
}

/** Runs the writer until it is ready, lets it append for `appendMs`, kills it; returns its acks. */
function runAndKill(dataDir: string, run: number, appendMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dataDir, String(run)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    let killTimer: NodeJS.Timeout | null = null
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      if (killTimer === null && output.includes('ready\n')) {
        killTimer = setTimeout(() => child.kill('SIGKILL'), appendMs)
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited with code ${code} before the kill`))
        return
      }
      const acks = output
        .split('\n')
        .filter((line) => line.startsWith('ack '))
        .map((line) => {
          const [, partition, offset, value, count] = line.split(' ')
          return { partition: Number(partition), offset: Number(offset), value, count: Number(count) }
        })
      resolve(acks)
    })
  })
}

async function checkLog(dataDir: string, acks: readonly Ack[], closeCleanly: boolean): Promise<number> {
  const manager = await openLogManager({ dataDir, logger: quietLogger(), maintenanceIntervalMs: 0 })
  let records = 0
  for (let partition = 0; partition < 2; partition += 1) {
    const log = manager.partition('crash', partition)!
    const found = new Map<number, string>()
    const seenValues = new Set<string>()
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const decoded = (await decodeRecordsOf((await log.read(offset, 1_000_000)).records)).filter(
        (record) => record.offset >= offset,
      )
      for (const record of decoded) {
        assert.equal(record.offset, offset, `offsets are contiguous in partition ${partition}`)
        assert.ok(!seenValues.has(record.value!), `value ${record.value} appears twice`)
        seenValues.add(record.value!)
        found.set(record.offset, record.value!)
        offset += 1
      }
    }
    records += found.size
    for (const ack of acks.filter((candidate) => candidate.partition === partition)) {
      for (let index = 0; index < ack.count; index += 1) {
        const value = found.get(ack.offset + index)
        assert.ok(
          value?.startsWith(`${ack.value}/${index}/`),
          `acked ${ack.value}/${index} missing at ${ack.offset + index}`,
        )
      }
    }
  }
  if (closeCleanly) {
    await manager.close()
  } else {
    for (const partition of [0, 1])
      for (const segment of manager.partition('crash', partition)!.segments) await segment.close()
  }
  return records
}

test('durable appends survive SIGKILL at random moments', { timeout: 60_000 }, async (t) => {
  const { directory, remove } = await temporaryDirectory('streamline-crash-')
  const started = Date.now()
  const allAcks: Ack[] = []
  let iterations = 0
  try {
    while (
      iterations < iterationsMax &&
      (iterations < iterationsMin || Date.now() - started < totalBudgetMs)
    ) {
      const acks = await runAndKill(directory, iterations, 20 + Math.floor(Math.random() * 400))
      allAcks.push(...acks)
      const records = await checkLog(directory, allAcks, iterations % 2 === 0)
      assert.ok(records >= allAcks.reduce((total, ack) => total + ack.count, 0))
      iterations += 1
    }
    assert.ok(allAcks.length > 0, 'the writer acknowledged appends')
    t.diagnostic(`${iterations} kills, ${allAcks.length} acknowledged batches checked`)
  } finally {
    await remove()
  }
})
