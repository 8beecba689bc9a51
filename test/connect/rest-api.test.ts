// Goal: every route of Kafka Connect's REST API answers as Kafka documents it (connect.html, "REST
// API"): bodies, status codes and error bodies, asserted exactly.
// Method: the real CLI (startBrokerProcess, Connect on a free port); every request is made by the
// real curl binary, in the order of the documentation's examples, against a FileStreamSource
// connector reading a temporary file.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

describe('Connect REST API (curl)', { timeout: 180_000 }, () => {
  let broker: BrokerProcess
  let base: string
  let dir: string
  let input: string
  let worker: string
  const sourceClass = 'org.apache.kafka.connect.file.FileStreamSourceConnector'

  before(async () => {
    dir = await makeTempDir('streamline-connect-rest-')
    input = join(dir, 'input.txt')
    await writeFile(input, 'alpha\nbeta\n')
    broker = await startBrokerProcess()
    base = connectUrlOf(broker)
    worker = base.replace('http://', '')
  })
  after(async () => {
    await broker?.stop()
    await removeTempDir(dir)
  })

  test('GET / names the version and the Kafka cluster', async () => {
    const answer = await curl('GET', `${base}/`)
    assert.equal(answer.status, 200)
    const body = answer.body as Record<string, unknown>
    assert.deepEqual(Object.keys(body), ['version', 'commit', 'kafka_cluster_id'])
    assert.match(String(body.kafka_cluster_id), /^[A-Za-z0-9_-]{22}$/)
  })

  test("GET /connectors is empty; an unknown connector is 404 with Kafka's body", async () => {
    assert.deepEqual(await curl('GET', `${base}/connectors`), { status: 200, body: [], text: '[]' })
    const missing = await curl('GET', `${base}/connectors/nope`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, { error_code: 404, message: 'Connector nope not found' })
  })

  test('POST /connectors with an invalid config: 400 with the per-field errors', async () => {
    const answer = await curl('POST', `${base}/connectors`, {
      name: 'bad',
      config: { 'connector.class': 'FileStreamSource', 'batch.size': 'many' },
    })
    assert.equal(answer.status, 400)
    assert.deepEqual(answer.body, {
      error_code: 400,
      message:
        'Connector configuration is invalid and contains the following 2 error(s):\n' +
        'Missing required configuration "topic" which has no default value.\n' +
        'Invalid value many for configuration batch.size: Not a number of type INT\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    })
  })

  test('POST /connectors creates (201), a second time is 409', async () => {
    const config = { 'connector.class': sourceClass, file: input, topic: 'rest-lines', 'tasks.max': '1' }
    const created = await curl('POST', `${base}/connectors`, { name: 'local-file-source', config })
    assert.equal(created.status, 201)
    assert.deepEqual(created.body, {
      name: 'local-file-source',
      config: { ...config, name: 'local-file-source' },
      tasks: [],
      type: 'source',
    })
    const again = await curl('POST', `${base}/connectors`, { name: 'local-file-source', config })
    assert.equal(again.status, 409)
    assert.deepEqual(again.body, { error_code: 409, message: 'Connector local-file-source already exists' })
  })

  test('GET status, info, config, tasks and task status once it runs', async () => {
    const status = await waitForState(base, 'local-file-source', 'RUNNING')
    assert.deepEqual(status, {
      name: 'local-file-source',
      connector: { state: 'RUNNING', worker_id: worker },
      tasks: [{ id: 0, state: 'RUNNING', worker_id: worker }],
      type: 'source',
    })
    const config = {
      'connector.class': sourceClass,
      file: input,
      topic: 'rest-lines',
      'tasks.max': '1',
      name: 'local-file-source',
    }
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source`)).body, {
      name: 'local-file-source',
      config,
      tasks: [{ connector: 'local-file-source', task: 0 }],
      type: 'source',
    })
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/config`)).body, config)
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/tasks`)).body, [
      { id: { connector: 'local-file-source', task: 0 }, config },
    ])
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/tasks/0/status`)).body, {
      id: 0,
      state: 'RUNNING',
      worker_id: worker,
    })
    const noTask = await curl('GET', `${base}/connectors/local-file-source/tasks/7/status`)
    assert.deepEqual(noTask, {
      status: 404,
      body: { error_code: 404, message: 'No status found for task local-file-source-7' },
      text: JSON.stringify({ error_code: 404, message: 'No status found for task local-file-source-7' }),
    })
    assert.deepEqual((await curl('GET', `${base}/connectors?expand=status`)).body, {
      'local-file-source': { status },
    })
  })

  test('GET /connectors/{name}/topics names the topic written; PUT topics/reset empties it', async () => {
    const topics = await waitFor('active topics', async () => {
      const answer = await curl('GET', `${base}/connectors/local-file-source/topics`)
      const body = answer.body as Record<string, { topics: string[] }>
      return body['local-file-source'].topics.length > 0 ? body : undefined
    })
    assert.deepEqual(topics, { 'local-file-source': { topics: ['rest-lines'] } })
    assert.equal((await curl('PUT', `${base}/connectors/local-file-source/topics/reset`)).status, 200)
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/topics`)).body, {
      'local-file-source': { topics: [] },
    })
  })

  test('PUT /config updates (200), PATCH removes a key with null (200)', async () => {
    const config = { 'connector.class': sourceClass, file: input, topic: 'rest-lines', 'batch.size': '10' }
    const updated = await curl('PUT', `${base}/connectors/local-file-source/config`, config)
    assert.equal(updated.status, 200)
    assert.deepEqual((updated.body as { config: unknown }).config, { ...config, name: 'local-file-source' })
    const patched = await curl('PATCH', `${base}/connectors/local-file-source/config`, { 'batch.size': null })
    assert.equal(patched.status, 200)
    assert.deepEqual((patched.body as { config: unknown }).config, {
      'connector.class': sourceClass,
      file: input,
      topic: 'rest-lines',
      name: 'local-file-source',
    })
    const created = await curl('PUT', `${base}/connectors/second/config`, {
      'connector.class': sourceClass,
      file: input,
      topic: 'rest-other',
    })
    assert.equal(created.status, 201)
    assert.equal((await curl('DELETE', `${base}/connectors/second`)).status, 204)
  })

  test('pause (202), resume (202), restart (204 / 202 with the plan), task restart (204)', async () => {
    assert.equal((await curl('PUT', `${base}/connectors/local-file-source/pause`)).status, 202)
    await waitForState(base, 'local-file-source', 'PAUSED')
    assert.equal((await curl('PUT', `${base}/connectors/local-file-source/resume`)).status, 202)
    await waitForState(base, 'local-file-source', 'RUNNING')
    assert.deepEqual(await curl('POST', `${base}/connectors/local-file-source/restart`), {
      status: 204,
      body: null,
      text: '',
    })
    await waitForState(base, 'local-file-source', 'RUNNING')
    const plan = await curl(
      'POST',
      `${base}/connectors/local-file-source/restart?includeTasks=true&onlyFailed=false`,
    )
    assert.equal(plan.status, 202)
    assert.deepEqual(plan.body, {
      name: 'local-file-source',
      connector: { state: 'RESTARTING', worker_id: worker },
      tasks: [{ id: 0, state: 'RESTARTING', worker_id: worker }],
      type: 'source',
    })
    await waitForState(base, 'local-file-source', 'RUNNING')
    assert.equal((await curl('POST', `${base}/connectors/local-file-source/tasks/0/restart`)).status, 204)
    await waitForState(base, 'local-file-source', 'RUNNING')
  })

  test('offsets: GET while running; PATCH refused until stopped; stop (204), PATCH and DELETE', async () => {
    const offsets = await waitFor('source offsets', async () => {
      const answer = await curl('GET', `${base}/connectors/local-file-source/offsets`)
      const body = answer.body as { offsets: unknown[] }
      return body.offsets.length > 0 ? body : undefined
    })
    assert.deepEqual(offsets, { offsets: [{ partition: { filename: input }, offset: { position: 11 } }] })
    const change = { offsets: [{ partition: { filename: input }, offset: { position: 6 } }] }
    const refused = await curl('PATCH', `${base}/connectors/local-file-source/offsets`, change)
    assert.equal(refused.status, 400)
    assert.deepEqual(refused.body, {
      error_code: 400,
      message:
        "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/local-file-source/stop' endpoint",
    })
    assert.equal((await curl('PUT', `${base}/connectors/local-file-source/stop`)).status, 204)
    await waitFor('STOPPED', async () => {
      const status = (await curl('GET', `${base}/connectors/local-file-source/status`)).body as {
        connector: { state: string }
        tasks: unknown[]
      }
      return status.connector.state === 'STOPPED' && status.tasks.length === 0 ? status : undefined
    })
    const altered = await curl('PATCH', `${base}/connectors/local-file-source/offsets`, change)
    assert.deepEqual(altered.body, {
      message: 'The offsets for this connector have been altered successfully',
    })
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/offsets`)).body, change)
    const reset = await curl('DELETE', `${base}/connectors/local-file-source/offsets`)
    assert.deepEqual(reset, {
      status: 200,
      body: { message: 'The offsets for this connector have been reset successfully' },
      text: '{"message":"The offsets for this connector have been reset successfully"}',
    })
    assert.deepEqual((await curl('GET', `${base}/connectors/local-file-source/offsets`)).body, {
      offsets: [],
    })
    assert.equal((await curl('PUT', `${base}/connectors/local-file-source/resume`)).status, 202)
    await waitForState(base, 'local-file-source', 'RUNNING')
  })

  test('connector plugins: list, config definition, validation per field', async () => {
    assert.deepEqual((await curl('GET', `${base}/connector-plugins`)).body, [
      { class: 'io.confluent.connect.http.HttpSinkConnector', type: 'sink', version: '0.1.0' },
      { class: 'io.confluent.connect.jdbc.JdbcSinkConnector', type: 'sink', version: '0.1.0' },
      { class: 'io.confluent.connect.s3.S3SinkConnector', type: 'sink', version: '0.1.0' },
      { class: 'io.confluent.kafka.connect.datagen.DatagenConnector', type: 'source', version: '0.1.0' },
      { class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source', version: '0.1.0' },
      { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '0.1.0' },
      { class: sourceClass, type: 'source', version: '0.1.0' },
    ])
    const all = (await curl('GET', `${base}/connector-plugins?connectorsOnly=false`)).body as Array<{
      type: string
    }>
    assert.ok(all.some((plugin) => plugin.type === 'converter'))
    const definition = (await curl('GET', `${base}/connector-plugins/FileStreamSource/config`))
      .body as unknown[]
    assert.deepEqual(definition[2], {
      name: 'batch.size',
      type: 'INT',
      required: false,
      default_value: '2000',
      importance: 'LOW',
      documentation:
        'The maximum number of records the source task can read from the file each time it is polled',
      group: null,
      order: -1,
      width: 'NONE',
      display_name: 'batch.size',
      dependents: [],
    })
    const validation = await curl('PUT', `${base}/connector-plugins/FileStreamSource/config/validate`, {
      'connector.class': 'FileStreamSource',
      'tasks.max': '0',
      topic: 't',
    })
    assert.equal(validation.status, 200)
    const infos = validation.body as {
      name: string
      error_count: number
      groups: string[]
      configs: Array<{ value: { name: string; errors: string[]; value: string | null } }>
    }
    assert.equal(infos.name, sourceClass)
    assert.equal(infos.error_count, 2)
    // A source connector has KIP-618's groups too, as Kafka's SourceConnectorConfig.
    assert.deepEqual(infos.groups, [
      'Common',
      'Transforms',
      'Predicates',
      'Error Handling',
      'Exactly Once Support',
      'offsets.topic',
    ])
    const byName = new Map(infos.configs.map((config) => [config.value.name, config.value]))
    assert.deepEqual(byName.get('tasks.max'), {
      name: 'tasks.max',
      value: '0',
      recommended_values: [],
      errors: ['Invalid value 0 for configuration tasks.max: Value must be at least 1'],
      visible: true,
    })
    assert.deepEqual(byName.get('name')?.errors, [
      'Missing required configuration "name" which has no default value.',
    ])
    const unknown = await curl('GET', `${base}/connector-plugins/NoSuchConnector/config`)
    assert.deepEqual(unknown.body, { error_code: 404, message: 'Unknown plugin NoSuchConnector.' })
  })

  test('admin loggers and health', async () => {
    assert.deepEqual((await curl('GET', `${base}/admin/loggers`)).body, {
      root: { level: 'INFO', last_modified: null },
    })
    const changed = await curl('PUT', `${base}/admin/loggers/org.apache.kafka.connect`, { level: 'DEBUG' })
    assert.deepEqual(changed.body, ['org.apache.kafka.connect'])
    const one = (await curl('GET', `${base}/admin/loggers/org.apache.kafka.connect`)).body as {
      level: string
    }
    assert.equal(one.level, 'DEBUG')
    const bad = await curl('PUT', `${base}/admin/loggers/root`, { level: 'LOUD' })
    assert.deepEqual(bad.body, { error_code: 400, message: "Invalid log level 'LOUD'." })
    assert.deepEqual((await curl('GET', `${base}/health`)).body, {
      status: 'healthy',
      message: 'Worker has completed startup and is ready to handle requests.',
    })
  })

  test('malformed input: bad JSON, wrong types, unknown routes and methods; the worker keeps serving', async () => {
    const badJson = await curl('POST', `${base}/connectors`, '{"name": ')
    assert.equal(badJson.status, 400)
    assert.equal((badJson.body as { error_code: number }).error_code, 400)
    const notObject = await curl('POST', `${base}/connectors`, '[1,2]')
    assert.deepEqual(notObject.body, { error_code: 400, message: 'Request body must be a JSON object' })
    const nested = await curl('PUT', `${base}/connectors/x/config`, { file: { a: 1 } })
    assert.deepEqual(nested.body, { error_code: 400, message: 'Config value for file must be a string' })
    assert.deepEqual((await curl('GET', `${base}/nowhere`)).body, {
      error_code: 404,
      message: 'HTTP 404 Not Found',
    })
    assert.deepEqual((await curl('DELETE', `${base}/connectors`)).body, {
      error_code: 405,
      message: 'HTTP 405 Method Not Allowed',
    })
    assert.deepEqual((await curl('GET', `${base}/connectors`)).body, ['local-file-source'])
  })

  test('DELETE /connectors/{name}: 204, then 404', async () => {
    assert.equal((await curl('DELETE', `${base}/connectors/local-file-source`)).status, 204)
    assert.deepEqual((await curl('GET', `${base}/connectors`)).body, [])
    assert.equal((await curl('DELETE', `${base}/connectors/local-file-source`)).status, 404)
  })
})
