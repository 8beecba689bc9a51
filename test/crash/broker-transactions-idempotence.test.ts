// Goal: an idempotent librdkafka producer (enable.idempotence=true, acks=all) survives a SIGKILL and
// restart of the broker mid-run without duplicates or gaps: every record is acknowledged, each
// acknowledged record is in the log exactly once at the offset its delivery report gave, and each
// partition holds exactly the records sent to it, in the order they were produced.
// Method: the broker as the real CLI process on a fixed port (the producer's bootstrap address
// survives the restart) and a data dir this test keeps. clients/idempotent_producer.py writes
// 20,000 records to 3 partitions in chunks of 200 with a 20 ms pause (requests keep flowing); once 5,000 are acknowledged
// the broker is SIGKILLed and restarted 1 s later; the producer retries what was in flight (same
// producer id, epoch and sequences: the broker must answer duplicates with their original offsets
// from the producer state it recovered). Then clients/read_topic.py reads every partition
// (read_uncommitted, to the high watermark) and the log is compared with what was sent.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createTopic } from '../compat/groups/group-members.ts'
import { clientScriptsDir, PythonProcess } from '../compat/transactions/python-process.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { freePort } from '../helpers/free-port.ts'
import { runPython } from '../helpers/python.ts'

const skip = requireClient('confluent-kafka')
const topic = 'idempotent-crash'
const partitions = 3
const recordCount = 20_000
const killAfterAcked = 5_000

let dataDir: string
let broker: BrokerProcess | undefined
let producer: PythonProcess | undefined
before(async () => {
  dataDir = await makeTempDir('streamline-idempotence-crash-')
})
after(async () => {
  await producer?.stop()
  await broker?.kill()
  await removeTempDir(dataDir)
})

test('librdkafka idempotent producer: broker SIGKILLed mid-run, every record exactly once, in order', {
  skip,
  timeout: 150_000,
}, async () => {
  const port = await freePort()
  const start = () => startBrokerProcess({ dataDir, args: ['--listen-addr', `127.0.0.1:${port}`] })
  broker = await start()
  await createTopic(broker.bootstrap, topic, partitions)
  producer = PythonProcess.start('idempotent_producer.py', [
    broker.bootstrap,
    topic,
    String(partitions),
    String(recordCount),
  ])
  let outcome: Record<string, unknown>
  let ackedAtKill = 0
  let producedAtKill = 0
  try {
    await producer.waitForEvent(
      (event) => event.event === 'acked' && Number(event.count) >= killAfterAcked,
      60_000,
    )
    await broker.kill()
    const last = producer.events.at(-1) ?? {}
    ackedAtKill = Number(last.count)
    producedAtKill = Number(last.produced)
    assert.ok(ackedAtKill < recordCount, `the producer was still running at the kill (${ackedAtKill} acked)`)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    broker = await start()
    outcome = await producer.result(120_000)
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n${producer.describe()}\n--- broker ---\n${broker.output().slice(-4_000)}`,
      { cause: error },
    )
  }
  const acked = outcome.acked as [number, number, number][]
  assert.deepEqual(
    { event: outcome.event, failed: outcome.failed, unflushed: outcome.unflushed, acked: acked.length },
    { event: 'done', failed: [], unflushed: 0, acked: recordCount },
  )

  const script = await readFile(join(clientScriptsDir, 'read_topic.py'), 'utf8')
  const read = (await runPython(script, {
    args: [broker.bootstrap, topic, String(partitions), 'read_uncommitted', '60'],
  })) as { records: [number, number, string | null, string][] }
  const logged = new Map(
    read.records.map(([partition, offset, , value]) => [`${partition}/${offset}`, value]),
  )
  const misplaced = acked.filter(
    ([partition, offset, index]) => logged.get(`${partition}/${offset}`) !== `m-${index}`,
  )
  assert.deepEqual(misplaced.slice(0, 10), [], 'acknowledged records not at their reported offset')
  for (let partition = 0; partition < partitions; partition++) {
    const actual = read.records.filter((record) => record[0] === partition)
    const offsets = actual.map(([, offset]) => offset)
    const values = actual.map(([, , , value]) => value)
    const expected: string[] = []
    for (let index = partition; index < recordCount; index += partitions) expected.push(`m-${index}`)
    const firstDifference = expected.findIndex((value, position) => values[position] !== value)
    assert.ok(
      values.length === expected.length && firstDifference === -1,
      `partition ${partition}: ${values.length} records for ${expected.length} sent; first difference at ` +
        `${firstDifference}: ${values[firstDifference]} for ${expected[firstDifference]}`,
    )
    assert.deepEqual(
      offsets,
      Array.from({ length: expected.length }, (_, position) => position),
    )
  }
  console.log(
    `idempotent producer: broker killed at ${ackedAtKill} acknowledged of ${producedAtKill} produced records`,
  )
})
