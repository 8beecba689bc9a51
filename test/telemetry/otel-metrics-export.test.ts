// Goal: with `--otel-enabled` the broker exports its own metrics over OTLP/HTTP to
// `<endpoint>/v1/metrics`, periodically and once more on close, under exactly the names and labels of
// `/metrics` (counters as monotonic cumulative sums, gauges as gauges, histograms with the same
// bucket bounds), with the broker's resource attributes; an endpoint that rejects the exports costs
// nothing but a logged warning (the broker keeps serving and closes normally).
// Method: an in-process broker exporting every 200 ms to an OTLP/HTTP receiver started here (a bare
// node:http server; the export is OTLP JSON written by OpenTelemetry's own serializer), kafkajs
// producing three records, then the latest export is compared value by value with a `/metrics`
// scrape taken after the broker stopped counting (the broker is closed, which sends one last export).
// A second broker exports to a receiver answering 400 to everything: it keeps exporting on its
// interval and serving kafkajs.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp.ts'

interface JsonAttribute {
  key: string
  value: { stringValue?: string }
}
interface JsonNumberPoint {
  attributes: JsonAttribute[]
  asDouble?: number
  asInt?: number | string
}
interface JsonHistogramPoint {
  attributes: JsonAttribute[]
  count: number | string
  sum: number
  bucketCounts: Array<number | string>
  explicitBounds: number[]
}
interface JsonMetric {
  name: string
  description: string
  unit: string
  sum?: { dataPoints: JsonNumberPoint[]; isMonotonic: boolean; aggregationTemporality: number }
  gauge?: { dataPoints: JsonNumberPoint[] }
  histogram?: { dataPoints: JsonHistogramPoint[]; aggregationTemporality: number }
}
interface JsonExport {
  resourceMetrics: Array<{
    resource: { attributes: JsonAttribute[] }
    scopeMetrics: Array<{ scope: { name: string }; metrics: JsonMetric[] }>
  }>
}

const labelsOf = (attributes: JsonAttribute[]) =>
  Object.fromEntries(attributes.map((attribute) => [attribute.key, attribute.value.stringValue ?? '']))

function metricsOf(body: Buffer): Map<string, JsonMetric> {
  const parsed = JSON.parse(body.toString('utf8')) as JsonExport
  const metrics = new Map<string, JsonMetric>()
  for (const resource of parsed.resourceMetrics) {
    for (const scope of resource.scopeMetrics)
      for (const metric of scope.metrics) metrics.set(metric.name, metric)
  }
  return metrics
}

/** The value of one sample of the Prometheus text format. */
function scrapedValue(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `))
  assert.ok(line, `no ${sample} in /metrics`)
  return Number(line.slice(sample.length + 1))
}

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const pointValue = (point: JsonNumberPoint) => Number(point.asDouble ?? point.asInt ?? 0)

describe('OpenTelemetry export of the broker metrics', () => {
  let broker: RunningBroker
  let receiver: OtlpReceiver
  let lastExport: Map<string, JsonMetric>
  let scrape = ''
  let resource: Record<string, string> = {}

  before(async () => {
    receiver = await startOtlpReceiver()
    broker = await startBroker({
      inMemory: true,
      httpAddr: '127.0.0.1:0',
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      processMetrics: false,
      otel: { enabled: true, endpoint: receiver.url, metricsExportIntervalMs: 200 },
    })
    await broker.tracingReady
    const kafka = new Kafka({
      clientId: 'metrics-export-test',
      brokers: [`${broker.host}:${broker.port}`],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'exported', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'exported', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    await producer.disconnect()
    // A periodic export (not only the last one on close) must already carry the produced records.
    await receiver.waitFor((exports) =>
      exports.some((entry) => {
        if (entry.path !== '/v1/metrics') return false
        const records = metricsOf(entry.body).get('streamline_topic_records_in_total')
        return records?.sum?.dataPoints.some((point) => pointValue(point) === 3) ?? false
      }),
    )
    const response = await fetch(`http://${broker.httpHost}:${broker.httpPort}/metrics`)
    scrape = await response.text()
    const metricExports = () => receiver.exports.filter((entry) => entry.path === '/v1/metrics')
    const exportsBeforeClose = metricExports().length
    await broker.close()
    assert.ok(metricExports().length > exportsBeforeClose, 'close sends one last export')
    const last = metricExports().at(-1)
    assert.ok(last)
    assert.match(last.contentType, /application\/json/)
    lastExport = metricsOf(last.body)
    const parsed = JSON.parse(last.body.toString('utf8')) as JsonExport
    resource = labelsOf(parsed.resourceMetrics[0]?.resource.attributes ?? [])
  })

  after(async () => {
    await broker?.close()
    await receiver?.close()
  })

  test('the resource names the broker', () => {
    assert.equal(resource['service.name'], 'streamline')
    assert.equal(resource['service.instance.id'], '0')
    assert.ok(resource['service.version'])
  })

  test('counters are cumulative monotonic sums with the names, labels and values of /metrics', () => {
    const records = lastExport.get('streamline_topic_records_in_total')
    assert.ok(records?.sum)
    assert.equal(records.sum.isMonotonic, true)
    assert.equal(records.sum.aggregationTemporality, 2) // CUMULATIVE
    const exported = records.sum.dataPoints.find((point) => labelsOf(point.attributes).topic === 'exported')
    assert.ok(exported)
    assert.equal(pointValue(exported), 3)
    const bytes = lastExport.get('streamline_topic_bytes_in_total')?.sum?.dataPoints[0]
    assert.ok(bytes)
    assert.deepEqual(labelsOf(bytes.attributes), { topic: 'exported' })
    assert.equal(pointValue(bytes), scrapedValue(scrape, 'streamline_topic_bytes_in_total{topic="exported"}'))
    const produces = lastExport
      .get('streamline_requests_total')
      ?.sum?.dataPoints.filter((point) => labelsOf(point.attributes).api === 'Produce')
    assert.ok(produces && produces.length > 0)
    const version = labelsOf(produces[0]?.attributes ?? []).version
    assert.equal(
      pointValue(produces[0] as JsonNumberPoint),
      scrapedValue(scrape, `streamline_requests_total{api="Produce",version="${version}"}`),
    )
  })

  test('gauges keep their labels', () => {
    const buildInfo = lastExport.get('streamline_build_info')?.gauge?.dataPoints[0]
    assert.ok(buildInfo)
    assert.equal(pointValue(buildInfo), 1)
    assert.equal(labelsOf(buildInfo.attributes).version, resource['service.version'])
    const endOffset = lastExport
      .get('streamline_partition_log_end_offset')
      ?.gauge?.dataPoints.find((point) => labelsOf(point.attributes).topic === 'exported')
    assert.ok(endOffset)
    assert.deepEqual(labelsOf(endOffset.attributes), { topic: 'exported', partition: '0' })
    assert.equal(pointValue(endOffset), 3)
  })

  test('histograms keep the bucket bounds, with per-bucket counts adding up to the count', () => {
    const durations = lastExport.get('streamline_request_duration_seconds')
    assert.ok(durations?.histogram)
    assert.equal(durations.unit, 's')
    const produce = durations.histogram.dataPoints.find(
      (point) => labelsOf(point.attributes).api === 'Produce',
    )
    assert.ok(produce)
    assert.deepEqual(
      produce.explicitBounds,
      [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    )
    assert.equal(produce.bucketCounts.length, produce.explicitBounds.length + 1)
    const total = produce.bucketCounts.reduce<number>((sum, count) => sum + Number(count), 0)
    assert.equal(total, Number(produce.count))
    const version = labelsOf(produce.attributes).version
    assert.equal(
      Number(produce.count),
      scrapedValue(scrape, `streamline_request_duration_seconds_count{api="Produce",version="${version}"}`),
    )
  })

  test('an endpoint that rejects every export does not disturb the broker', async () => {
    // A receiver that answers 400 (what a collector answers a payload it cannot read).
    let rejected = 0
    const rejecting = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        if (request.url === '/v1/metrics') rejected += 1
        response.writeHead(400).end()
      })
    })
    rejecting.listen(0, '127.0.0.1')
    await once(rejecting, 'listening')
    const { port } = rejecting.address() as AddressInfo
    const failing = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      processMetrics: false,
      otel: { enabled: true, endpoint: `http://127.0.0.1:${port}`, metricsExportIntervalMs: 100 },
    })
    try {
      await failing.tracingReady
      const kafka = new Kafka({ brokers: [`${failing.host}:${failing.port}`], logLevel: logLevel.NOTHING })
      const producer = kafka.producer()
      await producer.connect()
      const [result] = await producer.send({ topic: 'still-serving', messages: [{ value: 'x' }] })
      assert.equal(result?.errorCode, 0)
      await producer.disconnect()
      const before = rejected
      await waitUntil(() => rejected >= before + 2)
    } finally {
      await failing.close()
      rejecting.closeAllConnections()
      rejecting.close()
    }
  })
})
