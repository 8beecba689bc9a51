// Goal: the datagen source writes the quickstart schema's records at the asked rate, exactly
// `iterations` of them, keyed by the schema's key field.
// Method: the real CLI; the connector created with curl (orders, 40 records/s, 80 iterations,
// JsonConverter without schemas, StringConverter keys); kafkajs reads the topic back; the broker's
// /metrics shows the task's Kafka Connect metrics (status, source-record-poll/write-total), the
// connector's (status, class/type/version) and the worker's (counts, startups, task counts by state).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { connectVersion } from '../../src/connect/connectors/version.ts'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor } from '../helpers/connect.ts'

let broker: BrokerProcess
before(async () => {
  broker = await startBrokerProcess()
})
after(async () => {
  await broker?.stop()
})

test('datagen orders: 80 records at 40/s, keyed by orderid, Confluent quickstart fields', {
  timeout: 120_000,
}, async () => {
  const base = connectUrlOf(broker)
  const created = await curl('POST', `${base}/connectors`, {
    name: 'orders-gen',
    config: {
      'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
      'kafka.topic': 'orders',
      quickstart: 'orders',
      'records.per.second': '40',
      iterations: '80',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    },
  })
  assert.equal(created.status, 201)
  const kafka = new Kafka({
    clientId: 'datagen-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const consumer = kafka.consumer({ groupId: 'datagen-reader' })
  const seen: Array<{ key: string; value: Record<string, unknown>; timestamp: number }> = []
  await consumer.connect()
  await waitFor('the orders topic', async () =>
    (
      await kafka
        .admin()
        .listTopics()
        .catch((): string[] => [])
    ).includes('orders')
      ? true
      : undefined,
  )
  await consumer.subscribe({ topic: 'orders', fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({
        key: message.key?.toString() ?? '',
        value: JSON.parse(message.value?.toString() ?? 'null'),
        timestamp: Number(message.timestamp),
      })
    },
  })
  await waitFor('80 orders', async () => (seen.length >= 80 ? true : undefined), 60_000)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await consumer.disconnect()
  assert.equal(seen.length, 80)
  assert.deepEqual(
    seen.map((record) => record.key),
    Array.from({ length: 80 }, (_, index) => String(index)),
  )
  for (const [index, record] of seen.entries()) {
    assert.deepEqual(Object.keys(record.value), ['ordertime', 'orderid', 'itemid', 'orderunits', 'address'])
    assert.equal(record.value.orderid, index)
    assert.match(String(record.value.itemid), /^Item_\d+$/)
    assert.deepEqual(Object.keys(record.value.address as object), ['city', 'state', 'zipcode'])
  }
  // 80 records at 40/s take about 2 s (the first is due at once).
  const spanMs = seen[79].timestamp - seen[0].timestamp
  assert.ok(spanMs >= 1_700 && spanMs <= 6_000, `80 records took ${spanMs} ms`)
  const offsets = await curl('GET', `${base}/connectors/orders-gen/offsets`)
  assert.deepEqual(offsets.body, {
    offsets: [{ partition: { 'task.id': 0 }, offset: { 'current.iteration': 79 } }],
  })
  // Per-task metrics on the broker's /metrics, with Kafka Connect's names.
  const httpLine = broker
    .output()
    .split('\n')
    .find((line) => line.includes('"http listening"'))
  assert.ok(httpLine !== undefined)
  const http = JSON.parse(httpLine) as { host: string; port: number }
  const scrape = await fetch(`http://${http.host}:${http.port}/metrics`).then((answer) => answer.text())
  const labels = '{connector="orders-gen",task="0"}'
  assert.match(
    scrape,
    new RegExp(`kafka_connect_source_task_metrics_source_record_poll_total${escapeRegExp(labels)} 80\\n`),
  )
  assert.match(
    scrape,
    new RegExp(`kafka_connect_source_task_metrics_source_record_write_total${escapeRegExp(labels)} 80\\n`),
  )
  assert.match(
    scrape,
    /kafka_connect_connector_task_metrics_status\{connector="orders-gen",task="0",status="running"\} 1\n/,
  )
  const lines = (prefix: string) =>
    scrape
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .sort()
  assert.deepEqual(lines('kafka_connect_connector_metrics_'), [
    'kafka_connect_connector_metrics_info{connector="orders-gen",connector_class="io.confluent.kafka.connect.datagen.DatagenConnector",connector_type="source",connector_version="' +
      connectVersion +
      '"} 1',
    'kafka_connect_connector_metrics_status{connector="orders-gen",status="running"} 1',
  ])
  assert.deepEqual(lines('kafka_connect_connect_worker_metrics_'), [
    'kafka_connect_connect_worker_metrics_connector_count 1',
    'kafka_connect_connect_worker_metrics_connector_failed_task_count{connector="orders-gen"} 0',
    'kafka_connect_connect_worker_metrics_connector_paused_task_count{connector="orders-gen"} 0',
    'kafka_connect_connect_worker_metrics_connector_restarting_task_count{connector="orders-gen"} 0',
    'kafka_connect_connect_worker_metrics_connector_running_task_count{connector="orders-gen"} 1',
    'kafka_connect_connect_worker_metrics_connector_startup_attempts_total 1',
    'kafka_connect_connect_worker_metrics_connector_startup_failure_percentage 0',
    'kafka_connect_connect_worker_metrics_connector_startup_failure_total 0',
    'kafka_connect_connect_worker_metrics_connector_startup_success_percentage 1',
    'kafka_connect_connect_worker_metrics_connector_startup_success_total 1',
    'kafka_connect_connect_worker_metrics_connector_total_task_count{connector="orders-gen"} 1',
    'kafka_connect_connect_worker_metrics_connector_unassigned_task_count{connector="orders-gen"} 0',
    'kafka_connect_connect_worker_metrics_task_count 1',
    'kafka_connect_connect_worker_metrics_task_startup_attempts_total 1',
    'kafka_connect_connect_worker_metrics_task_startup_failure_percentage 0',
    'kafka_connect_connect_worker_metrics_task_startup_failure_total 0',
    'kafka_connect_connect_worker_metrics_task_startup_success_percentage 1',
    'kafka_connect_connect_worker_metrics_task_startup_success_total 1',
  ])
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
