// Goal: Kafka Connect's error handling. With errors.tolerance=all, a record the converter cannot read
// goes to the dead-letter queue byte for byte with the __connect.errors.* context headers, and the
// good records reach the sink; with errors.tolerance=none the task is FAILED with its trace in
// /status; a restart after the cause is fixed makes it RUNNING and data flows again. Transforms run
// in the same pipeline. A source task's converter errors follow the same rules: tolerated records are
// skipped (nothing written) and still count as done (their source offsets are committed); with
// errors.tolerance=none the task is FAILED with the converter's DataException as the cause.
// Method: the real CLI; kafkajs produces the input and reads the DLQ; curl drives the REST API;
// FileStreamSink writes the output file that is compared exactly.
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

describe('Connect error handling: tolerance, DLQ, FAILED and restart', { timeout: 180_000 }, () => {
  let broker: BrokerProcess
  let base: string
  let dir: string
  let kafka: Kafka

  before(async () => {
    dir = await makeTempDir('streamline-connect-errors-')
    broker = await startBrokerProcess()
    base = connectUrlOf(broker)
    kafka = new Kafka({
      clientId: 'connect-errors-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'events',
      messages: [
        { value: '{"id":1,"name":"ada","card":"4111"}' },
        { value: 'not json', headers: { origin: 'legacy' } },
        { value: '{"id":2,"name":"bob","card":"5500"}' },
      ],
    })
    await producer.disconnect()
  })
  after(async () => {
    await broker?.stop()
    await removeTempDir(dir)
  })

  test('errors.tolerance=all: the bad record goes to the DLQ with context headers; transforms apply to the rest', async () => {
    const output = join(dir, 'tolerant.txt')
    const created = await curl('POST', `${base}/connectors`, {
      name: 'tolerant',
      config: {
        'connector.class': 'FileStreamSink',
        topics: 'events',
        file: output,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'events-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
        transforms: 'mask,tag',
        'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
        'transforms.mask.fields': 'card',
        'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
        'transforms.tag.offset.field': 'offset',
      },
    })
    assert.equal(created.status, 201)
    const lines = await waitFor('two lines in the output', async () => {
      const text = await readFile(output, 'utf8').catch(() => '')
      const found = text.split('\n').filter((line) => line !== '')
      return found.length >= 2 ? found : undefined
    })
    assert.deepEqual(lines, [
      '{"id":1,"name":"ada","card":"","offset":0}',
      '{"id":2,"name":"bob","card":"","offset":2}',
    ])

    const consumer = kafka.consumer({ groupId: 'dlq-reader' })
    const dead: Array<{ value: string; headers: Record<string, string> }> = []
    await consumer.connect()
    await consumer.subscribe({ topic: 'events-dlq', fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {}
        for (const [key, value] of Object.entries(message.headers ?? {})) headers[key] = String(value)
        dead.push({ value: message.value?.toString() ?? '', headers })
      },
    })
    await waitFor('the DLQ record', async () => (dead.length > 0 ? true : undefined))
    await consumer.disconnect()
    assert.equal(dead.length, 1)
    assert.equal(dead[0].value, 'not json')
    const { '__connect.errors.exception.stacktrace': stack, ...headers } = dead[0].headers
    assert.match(stack, /DataException/)
    assert.deepEqual(headers, {
      origin: 'legacy',
      '__connect.errors.topic': 'events',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '1',
      '__connect.errors.connector.name': 'tolerant',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'JsonConverter',
      '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
      '__connect.errors.exception.message':
        'Converting byte[] to Kafka Connect data failed due to serialization error: ',
    })
  })

  test('errors.tolerance=none: the task is FAILED with its trace', async () => {
    const created = await curl('POST', `${base}/connectors`, {
      name: 'strict',
      config: {
        'connector.class': 'FileStreamSink',
        topics: 'events',
        file: join(dir, 'strict.txt'),
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
    })
    assert.equal(created.status, 201)
    const status = (await waitFor('strict FAILED', async () => {
      const body = (await curl('GET', `${base}/connectors/strict/status`)).body as {
        tasks: Array<{ state: string }>
      }
      return body.tasks[0]?.state === 'FAILED' ? body : undefined
    })) as {
      connector: { state: string }
      tasks: Array<{ id: number; state: string; trace: string; worker_id: string }>
    }
    assert.equal(status.connector.state, 'RUNNING')
    assert.match(
      status.tasks[0].trace,
      /^org\.apache\.kafka\.connect\.errors\.ConnectException: Tolerance exceeded in error handler/,
    )
    assert.match(status.tasks[0].trace, /Caused by: org\.apache\.kafka\.connect\.errors\.DataException/)
  })

  test('a task that fails at start (missing directory) recovers with restart?includeTasks=true&onlyFailed=true', async () => {
    const output = join(dir, 'later', 'out.txt')
    await curl('POST', `${base}/connectors`, {
      name: 'later',
      config: {
        'connector.class': 'FileStreamSink',
        topics: 'events',
        file: output,
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    })
    const failed = await waitFor('later FAILED', async () => {
      const body = (await curl('GET', `${base}/connectors/later/status`)).body as {
        tasks: Array<{ state: string; trace?: string }>
      }
      return body.tasks[0]?.state === 'FAILED' ? body.tasks[0] : undefined
    })
    assert.match(failed.trace ?? '', /ENOENT/)
    await mkdir(join(dir, 'later'))
    const plan = await curl('POST', `${base}/connectors/later/restart?includeTasks=true&onlyFailed=true`)
    assert.equal(plan.status, 202)
    assert.deepEqual(
      (plan.body as { tasks: Array<{ state: string }> }).tasks.map((task) => task.state),
      ['RESTARTING'],
    )
    await waitForState(base, 'later', 'RUNNING')
    const text = await waitFor('the output', async () => {
      const found = await readFile(output, 'utf8').catch(() => '')
      return found.split('\n').length >= 4 ? found : undefined
    })
    assert.equal(text, '{"id":1,"name":"ada","card":"4111"}\nnot json\n{"id":2,"name":"bob","card":"5500"}\n')
  })

  test('a source task: converter errors skipped with errors.tolerance=all (offsets committed), FAILED with none', async () => {
    const lines = 'alpha\nbeta\ngamma\n'
    const input = join(dir, 'source-input.txt')
    await writeFile(input, lines)
    const source = (name: string, tolerance: string) =>
      curl('POST', `${base}/connectors`, {
        name,
        config: {
          'connector.class': 'FileStreamSource',
          topic: `${name}-out`,
          file: input,
          // A line is a STRING: Kafka's ByteArrayConverter refuses its schema.
          'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
          'errors.tolerance': tolerance,
        },
      })
    assert.equal((await source('lenient-source', 'all')).status, 201)
    assert.equal((await source('strict-source', 'none')).status, 201)

    const failed = (await waitFor('strict-source FAILED', async () => {
      const body = (await curl('GET', `${base}/connectors/strict-source/status`)).body as {
        tasks: Array<{ state: string; trace?: string }>
      }
      return body.tasks[0]?.state === 'FAILED' ? body.tasks[0] : undefined
    })) as { trace: string }
    assert.match(
      failed.trace,
      /^org\.apache\.kafka\.connect\.errors\.ConnectException: Tolerance exceeded in error handler/,
    )
    assert.match(
      failed.trace,
      /Caused by: org\.apache\.kafka\.connect\.errors\.DataException: Invalid schema type for ByteArrayConverter: STRING/,
    )

    // Stopping commits the task's offsets: every skipped line is done, so the position is the file's end.
    await waitForState(base, 'lenient-source', 'RUNNING')
    const offsets = await waitFor('lenient-source offsets', async () => {
      await curl('PUT', `${base}/connectors/lenient-source/stop`)
      const answer = await curl('GET', `${base}/connectors/lenient-source/offsets`)
      const body = answer.body as { offsets?: Array<{ offset: { position: number } }> }
      return answer.status === 200 && body.offsets?.[0]?.offset.position === lines.length ? body : undefined
    })
    assert.deepEqual(offsets, {
      offsets: [{ partition: { filename: input }, offset: { position: lines.length } }],
    })
    const admin = kafka.admin()
    await admin.connect()
    try {
      const ends = await admin.fetchTopicOffsets('lenient-source-out').catch(() => [])
      assert.deepEqual(
        ends.map((entry) => entry.high),
        ends.map(() => '0'),
        'nothing was written for the skipped lines',
      )
    } finally {
      await admin.disconnect()
    }
  })
})
