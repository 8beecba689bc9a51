// Goal: with `--otel-enabled` the broker exports one span per produce, fetch, group and transaction
// request over OTLP/HTTP, with the client id, principal and topic; a produced record's W3C
// `traceparent` header makes the Produce span a child in the producer's trace (other distinct ones in
// the same request become links); other APIs (Metadata, ApiVersions) get no span.
// Method: an in-process broker (waited on until its tracing is loaded) exporting to an OTLP/HTTP receiver started here (node:http; the SDK's
// exporter sends OTLP JSON), kafkajs as the client (a producer sending two records with different
// trace parents in one request, a transactional producer, a consumer group reading them back), then
// the broker is closed (which flushes the span processor) and the received spans are asserted.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp.ts'

interface JsonAttribute {
  key: string
  value: {
    stringValue?: string
    intValue?: string | number
    arrayValue?: { values: Array<{ stringValue?: string }> }
  }
}
interface JsonSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: JsonAttribute[]
  links?: Array<{ traceId: string; spanId: string }>
}

const parentA = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
const parentB = { traceId: '5bf92f3577b34da6a3ce929d0e0e4737', spanId: '10f067aa0ba902b8' }
const traceparent = (parent: { traceId: string; spanId: string }) =>
  `00-${parent.traceId}-${parent.spanId}-01`

function attributesOf(span: JsonSpan): Record<string, string> {
  return Object.fromEntries(
    span.attributes.map((attribute) => [
      attribute.key,
      attribute.value.stringValue ??
        (attribute.value.intValue !== undefined
          ? String(attribute.value.intValue)
          : (attribute.value.arrayValue?.values.map((value) => value.stringValue).join(',') ?? '')),
    ]),
  )
}

describe('OpenTelemetry request spans', () => {
  let broker: RunningBroker
  let receiver: OtlpReceiver
  const spans: JsonSpan[] = []
  let resource: Record<string, string> = {}

  before(async () => {
    receiver = await startOtlpReceiver()
    broker = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      groups: { classic: { initialRebalanceDelayMs: 0 } },
      otel: {
        enabled: true,
        endpoint: receiver.url,
        spanExportDelayMs: 100,
      },
    })
    await broker.tracingReady
    const kafka = new Kafka({
      clientId: 'tracing-test',
      brokers: [`${broker.host}:${broker.port}`],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'traced', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'traced',
      messages: [
        { value: 'a', headers: { traceparent: traceparent(parentA) } },
        { value: 'b', headers: { traceparent: traceparent(parentB) } },
        { value: 'c' },
      ],
    })
    await producer.disconnect()
    const transactional = kafka.producer({
      transactionalId: 'traced-txn',
      idempotent: true,
      maxInFlightRequests: 1,
    })
    await transactional.connect()
    const transaction = await transactional.transaction()
    await transaction.send({ topic: 'traced', messages: [{ value: 'd' }] })
    await transaction.commit()
    await transactional.disconnect()
    const consumer = kafka.consumer({ groupId: 'traced-group' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'traced', fromBeginning: true })
    let seen = 0
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async () => {
            seen += 1
            if (seen === 4) resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    await broker.close()
    for (const entry of receiver.exports.filter((candidate) => candidate.path === '/v1/traces')) {
      const body = JSON.parse(entry.body.toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: JsonAttribute[] }
          scopeSpans: Array<{ spans: JsonSpan[] }>
        }>
      }
      for (const resourceSpans of body.resourceSpans) {
        resource = attributesOf({ attributes: resourceSpans.resource.attributes } as JsonSpan)
        for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans)
      }
    }
  })
  after(async () => {
    await broker?.close()
    await receiver?.close()
  })

  test('exported as OTLP/HTTP JSON with the service resource', () => {
    assert.ok(
      receiver.exports.some((entry) => entry.path === '/v1/traces' && entry.contentType.includes('json')),
    )
    assert.equal(resource['service.name'], 'streamline')
    assert.equal(resource['service.instance.id'], '0')
  })

  test('the Produce span joins the first record trace and links the other', () => {
    const produce = spans.find((span) => span.name === 'Produce' && span.traceId === parentA.traceId)
    assert.ok(
      produce,
      `a Produce span in trace ${parentA.traceId}; got ${spans.map((span) => span.name).join(' ')}`,
    )
    assert.equal(produce.parentSpanId, parentA.spanId)
    assert.equal(produce.kind, 2, 'SERVER')
    assert.deepEqual(
      (produce.links ?? []).map((link) => [link.traceId, link.spanId]),
      [[parentB.traceId, parentB.spanId]],
    )
    const attributes = attributesOf(produce)
    assert.equal(attributes['messaging.system'], 'kafka')
    assert.equal(attributes['messaging.operation.name'], 'Produce')
    assert.equal(attributes['messaging.client.id'], 'tracing-test')
    assert.equal(attributes['enduser.id'], 'User:ANONYMOUS')
    assert.equal(attributes['messaging.destination.name'], 'traced')
    assert.equal(attributes['kafka.api.key'], '0')
  })

  test('group, fetch and transaction requests have spans; Metadata and ApiVersions none', () => {
    const names = new Set(spans.map((span) => span.name))
    for (const name of [
      'InitProducerId',
      'AddPartitionsToTxn',
      'EndTxn',
      'FindCoordinator',
      'JoinGroup',
      'SyncGroup',
      'Fetch',
    ]) {
      assert.ok(names.has(name), `a ${name} span; got ${[...names].join(' ')}`)
    }
    assert.equal(names.has('Metadata') || names.has('ApiVersions') || names.has('CreateTopics'), false)
    const join = spans.find((span) => span.name === 'JoinGroup')
    assert.equal(join && attributesOf(join)['messaging.consumer.group.name'], 'traced-group')
    const endTxn = spans.find((span) => span.name === 'EndTxn')
    assert.equal(endTxn && attributesOf(endTxn)['kafka.transactional_id'], 'traced-txn')
    const untraced = spans.filter((span) => span.name === 'Produce' && span.parentSpanId === undefined)
    assert.ok(untraced.length >= 1, 'the transactional Produce has no trace parent and starts its own trace')
  })
})
