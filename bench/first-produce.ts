// First produce to a topic that does not exist yet (auto-created through Metadata), against a
// produce to a topic that exists, with real clients at their default settings: kcat (one process
// per produce, so its time includes start-up and connecting), kafkajs and confluent-kafka (one
// producer each, timed per send/flush). The difference is what auto-creation costs a client; it
// should stay within the client's own metadata retry backoff (issue 13: Metadata answers the
// request that creates a topic with UNKNOWN_TOPIC_OR_PARTITION and no partitions, as KRaft-mode
// Kafka does, and clients ask again). Prints the median of N runs per client and case.
// Usage: node --import tsx bench/first-produce.ts [runs=7]

import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Kafka, logLevel } from 'kafkajs'
import { startBrokerProcess } from '../test/helpers/broker-process.ts'
import { debianPython } from '../test/helpers/clients.ts'
import { runPython } from '../test/helpers/python.ts'

const runs = Number(process.argv[2] ?? 7)
const processTimeoutMs = 60_000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function kcatProduce(bootstrap: string, topic: string): Promise<number> {
  const startedMs = performance.now()
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kcat',
      ['-b', bootstrap, '-P', '-t', topic, '-p', '0'],
      { timeout: processTimeoutMs, killSignal: 'SIGKILL' },
      (error) => (error ? reject(error) : resolve(performance.now() - startedMs)),
    )
    child.stdin?.end('one record\n')
  })
}

async function kcatTimes(bootstrap: string): Promise<{ existing: number[]; created: number[] }> {
  await kcatProduce(bootstrap, 'kcat-existing') // creates it
  const existing: number[] = []
  const created: number[] = []
  for (let run = 0; run < runs; run += 1) {
    existing.push(await kcatProduce(bootstrap, 'kcat-existing'))
    created.push(await kcatProduce(bootstrap, `kcat-new-${run}`))
  }
  return { existing, created }
}

async function kafkajsTimes(bootstrap: string): Promise<{ existing: number[]; created: number[] }> {
  const kafka = new Kafka({ clientId: 'first-produce', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  const send = async (topic: string) => {
    const startedMs = performance.now()
    await producer.send({ topic, messages: [{ value: 'one record' }] })
    return performance.now() - startedMs
  }
  try {
    await send('kafkajs-existing')
    const existing: number[] = []
    const created: number[] = []
    for (let run = 0; run < runs; run += 1) {
      existing.push(await send('kafkajs-existing'))
      created.push(await send(`kafkajs-new-${run}`))
    }
    return { existing, created }
  } finally {
    await producer.disconnect()
  }
}

const confluentScript = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, runs = sys.argv[1], int(sys.argv[2])
producer = Producer({'bootstrap.servers': bootstrap})
def send(topic):
    started = time.perf_counter()
    producer.produce(topic, b'one record')
    if producer.flush(30) != 0:
        raise SystemExit('not delivered to ' + topic)
    return (time.perf_counter() - started) * 1000
send('confluent-existing')
existing, created = [], []
for run in range(runs):
    existing.append(send('confluent-existing'))
    created.append(send('confluent-new-%d' % run))
print(json.dumps({'existing': existing, 'created': created}))
`

async function confluentTimes(bootstrap: string): Promise<{ existing: number[]; created: number[] }> {
  return (await runPython(confluentScript, { args: [bootstrap, String(runs)] })) as {
    existing: number[]
    created: number[]
  }
}

const broker = await startBrokerProcess()
try {
  console.log(
    `${runs} runs each; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' / ')}`,
  )
  console.log(`python: ${debianPython}`)
  for (const [client, measure] of [
    ['kcat', kcatTimes],
    ['kafkajs', kafkajsTimes],
    ['confluent-kafka', confluentTimes],
  ] as const) {
    const { existing, created } = await measure(broker.bootstrap)
    const [existingMs, createdMs] = [median(existing), median(created)]
    console.log(
      `${client}: existing topic ${existingMs.toFixed(1)} ms, new topic ${createdMs.toFixed(1)} ms, ` +
        `auto-creation adds ${(createdMs - existingMs).toFixed(1)} ms (median; new: ${created.map((ms) => ms.toFixed(0)).join(' ')})`,
    )
  }
} finally {
  await broker.stop()
}
