// Goal: with acks=all, a record whose delivery a librdkafka producer saw acknowledged survives a
// SIGKILL of the broker: after restarts on the same data dir every acknowledged record is in its
// partition at the offset it was acknowledged with, offsets have no gaps, and within a partition the
// acknowledged records keep their send order (issue 4, "Done when"; duplicates from retries are
// allowed here: exactly-once is the transactions issue's job).
// Method: the broker runs as the CLI on a fixed port and a data dir the test owns. confluent-kafka
// (broker_crash_producer.py: acks=all, no idempotence, one request in flight) produces numbered
// values round-robin to 3 partitions (about 5,000 a second) and appends every acknowledged (partition, offset,
// value) to a file as the delivery report arrives. Meanwhile the test SIGKILLs the broker 3 times at
// random moments and restarts it on the same port and dir, waits for acknowledgements after the last
// restart, then tells the producer to stop (a stop file: on a loaded machine restarts are slow, and a
// fixed production time once ended before the third kill); at the end it kills it once more,
// restarts, and confluent-kafka reads every partition back from offset 0 to its end. Bounded to
// ~40 s; the random delays only vary where the kills land, nothing asserts on timing.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { debianPython, requireClient } from '../helpers/clients.ts'
import { freePort } from '../helpers/free-port.ts'
import { CodecClient, createTopicsRequestBody } from '../helpers/kafka-codec-client.ts'

const skip = requireClient('confluent-kafka')
const script = join(import.meta.dirname, 'broker_crash_producer.py')
const topic = 'crash'
const partitions = 3
/** At most: the producer stops when the test writes its stop file, after the kills. */
const produceSecondsMax = 45
const kills = 3
const producerTimeoutMs = 60_000

interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the Python script to completion (bounded: SIGKILL after timeoutMs). */
function runScript(args: string[], timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(debianPython, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
}

function lastJsonLine(result: ChildResult, what: string): unknown {
  const lines = result.stdout.trim().split('\n')
  assert.equal(result.code, 0, `${what} exited with ${result.code}\n${result.stderr}`)
  return JSON.parse(lines[lines.length - 1] ?? 'null')
}

async function countAcks(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line.startsWith('[')).length
}

async function createTopic(broker: BrokerProcess): Promise<void> {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const created = await client.request(
      19,
      7,
      createTopicsRequestBody([{ name: topic, numPartitions: partitions }]),
    )
    assert.equal(created.topics[0].errorCode, 0)
  } finally {
    client.close()
  }
}

/** Every acknowledged record is at its offset; offsets have no gaps; acknowledged sequences grow with the offset. */
function checkPartition(partition: number, log: [number, string][], acks: [number, number, string][]): void {
  for (const [index, [offset]] of log.entries()) {
    assert.equal(offset, index, `partition ${partition}: gap or reorder at ${index}`)
  }
  const sorted = [...acks].sort((a, b) => a[1] - b[1])
  const lost = sorted.filter(([, offset, value]) => log[offset]?.[1] !== value)
  assert.deepEqual(
    lost
      .slice(0, 10)
      .map(([, offset, value]) => ({ offset, acknowledged: value, found: log[offset]?.[1] ?? null })),
    [],
    `partition ${partition}: ${lost.length} of ${sorted.length} acknowledged records are not at their offsets`,
  )
  const sequences = sorted.map(([, , value]) => Number(value.split(':')[1]))
  const outOfOrder = sequences.findIndex((sequence, index) => index > 0 && sequence <= sequences[index - 1])
  assert.equal(
    outOfOrder,
    -1,
    `partition ${partition}: acknowledged sequence ${sequences[outOfOrder]} after ${sequences[outOfOrder - 1]}`,
  )
}

function randomBetween(minMs: number, maxMs: number): number {
  return minMs + Math.floor(Math.random() * (maxMs - minMs))
}

test('acknowledged acks=all records survive SIGKILL of the broker', {
  skip,
  timeout: 120_000,
}, async (context) => {
  const dataDir = await makeTempDir('streamline-broker-crash-')
  const workDir = await makeTempDir('streamline-broker-crash-acks-')
  const acksPath = join(workDir, 'acks.jsonl')
  const stopPath = join(workDir, 'stop')
  const port = await freePort()
  const start = () => startBrokerProcess({ dataDir, args: ['--listen-addr', `127.0.0.1:${port}`] })
  let broker: BrokerProcess | undefined
  try {
    broker = await start()
    await createTopic(broker)

    let producerDone = false
    const producing = runScript(
      ['produce', broker.bootstrap, topic, String(partitions), String(produceSecondsMax), acksPath, stopPath],
      producerTimeoutMs,
    ).finally(() => {
      producerDone = true
    })
    const acksAtKill: number[] = []
    for (let kill = 0; kill < kills; kill++) {
      await sleep(randomBetween(1_500, 3_000))
      if (producerDone) break
      acksAtKill.push(await countAcks(acksPath))
      await broker.kill()
      await sleep(randomBetween(0, 500))
      broker = await start()
    }
    // Progress after the last restart (bounded by the producer's own maximum), then the producer stops.
    const lastKillAcks = acksAtKill.at(-1) ?? 0
    while (!producerDone && (await countAcks(acksPath)) <= lastKillAcks) await sleep(100)
    await sleep(randomBetween(0, 1_000))
    await writeFile(stopPath, '')
    const summary = lastJsonLine(await producing, 'producer') as {
      produced: number
      acknowledged: number
      failed: number
      errors: Record<string, number>
    }
    context.diagnostic(`producer: ${JSON.stringify(summary)}; acknowledged before each kill: ${acksAtKill}`)
    // A crash right at the end too, then recovery, then the check.
    await broker.kill()
    broker = await start()

    const acks = (await readFile(acksPath, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('['))
      .map((line) => JSON.parse(line) as [number, number, string])
    assert.equal(acks.length, summary.acknowledged, 'every delivery report reached the acks file')
    assert.equal(acksAtKill.length, kills, 'the producer finished before every kill happened')
    assert.ok(acksAtKill[0] > 0, 'nothing was acknowledged before the first kill')
    assert.ok(acks.length > acksAtKill[kills - 1], 'the producer made no progress after the last restart')

    const read = lastJsonLine(
      await runScript(['read', broker.bootstrap, topic, String(partitions)], 90_000),
      'reader',
    ) as Record<string, [number, string][]>

    for (let partition = 0; partition < partitions; partition++) {
      const partitionAcks = acks.filter(([ackPartition]) => ackPartition === partition)
      checkPartition(partition, read[String(partition)] ?? [], partitionAcks)
    }
  } catch (error) {
    if (broker) (error as Error).message += `\n--- broker output (tail) ---\n${broker.output().slice(-4000)}`
    throw error
  } finally {
    await broker?.stop()
    await removeTempDir(dataDir)
    await removeTempDir(workDir)
  }
})
