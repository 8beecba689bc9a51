// Goal: a real pushing client (librdkafka 2.12 through node-rdkafka) finds the telemetry APIs when
// client telemetry is on, gets its CLIENT_METRICS subscription, and pushes its metrics: they appear on
// /metrics under its client id and reach an OTLP receiver as OTLP/HTTP protobuf with the client's
// identity added; closing the producer sends the terminating push, which drops its series.
// Method: an in-process broker with `otel.clientTelemetry` and an OTLP endpoint (a node:http receiver
// started here), a subscription set over the raw protocol (prefix org.apache.kafka.producer., 1 s
// interval, matching the producer's client id), a node-rdkafka producer that produces one record, and
// waits on the exact state asserted (no fixed sleeps).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type RunningBroker, startBroker } from '../../../src/broker/start.ts'
import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import { decodeMetricsData } from '../../../src/telemetry/otlp-metrics.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp.ts'
import { rdkafka, rdkafkaSkip } from '../kip848/rdkafka.ts'

interface RdkafkaProducer {
  connect(options: Record<string, never>, callback: (error: Error | null) => void): void
  disconnect(callback: (error: Error | null) => void): void
  produce(topic: string, partition: number | null, value: Buffer): void
  setPollInterval(intervalMs: number): void
  on(event: 'event.error', listener: (error: Error) => void): void
}
type ProducerConstructor = new (config: Record<string, string | number | boolean>) => RdkafkaProducer

const skip = rdkafkaSkip()
const clientId = 'rdkafka-telemetry'

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('client telemetry with librdkafka (node-rdkafka)', { skip }, () => {
  let broker: RunningBroker
  let receiver: OtlpReceiver
  const scrape = async () => (await fetch(`http://${broker.httpHost}:${broker.httpPort}/metrics`)).text()

  before(async () => {
    receiver = await startOtlpReceiver()
    broker = await startBroker({
      inMemory: true,
      httpAddr: '127.0.0.1:0',
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      otel: {
        clientTelemetry: true,
        enabled: true,
        endpoint: receiver.url,
      },
    })
    const admin = await CodecClient.open(broker.host, broker.port)
    const response = await admin.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 16,
          resourceName: 'rdkafka-producers',
          configs: [
            { name: 'metrics', value: 'org.apache.kafka.producer.', configOperation: 0 },
            { name: 'interval.ms', value: '1000', configOperation: 0 },
            {
              name: 'match',
              value: `client_id=${clientId},client_software_name=librdkafka`,
              configOperation: 0,
            },
          ],
        },
      ],
      validateOnly: false,
    })
    admin.close()
    assert.equal(response.responses[0].errorCode, ErrorCode.NONE)
  })
  after(async () => {
    await broker?.close()
    await receiver?.close()
  })

  test('pushed metrics appear on /metrics and at the OTLP receiver; the terminating push drops them', async () => {
    const Producer = (rdkafka() as unknown as { Producer: ProducerConstructor }).Producer
    const producer = new Producer({
      'bootstrap.servers': `${broker.host}:${broker.port}`,
      'client.id': clientId,
      'enable.metrics.push': true,
    })
    producer.on('event.error', () => {})
    await new Promise<void>((resolve, reject) =>
      producer.connect({}, (error) => (error === null ? resolve() : reject(error))),
    )
    producer.setPollInterval(50)
    producer.produce('telemetry-topic', null, Buffer.from('hello'))
    const series = new RegExp(
      `streamline_client_metric\\{client_instance_id="([0-9a-f-]{36})",client_id="${clientId}",name="org\\.apache\\.kafka\\.producer\\.[a-z.]+"`,
    )
    await waitFor('librdkafka metrics on /metrics', async () => series.test(await scrape()))
    const text = await scrape()
    const instanceId = series.exec(text)?.[1] ?? ''
    assert.match(text, /name="org\.apache\.kafka\.producer\.node\.request\.latency\.avg"/)
    assert.match(text, /name="org\.apache\.kafka\.producer\.connection\.creation\.total"/)
    assert.doesNotMatch(
      text,
      /client_id="rdkafka-telemetry",name="org\.apache\.kafka\.consumer\./,
      'only subscribed prefixes',
    )

    await receiver.waitFor((exports) => exports.some((entry) => entry.path === '/v1/metrics'))
    const forwarded = receiver.exports.find((entry) => entry.path === '/v1/metrics')
    const decoded = decodeMetricsData(forwarded?.body ?? Buffer.alloc(0))
    assert.equal(decoded.resourceAttributes.client_instance_id, instanceId)
    assert.equal(decoded.resourceAttributes.client_id, clientId)
    assert.equal(decoded.resourceAttributes.client_software_name, 'librdkafka')
    assert.ok(decoded.metrics.every((metric) => metric.name.startsWith('org.apache.kafka.producer.')))

    await new Promise<void>((resolve, reject) =>
      producer.disconnect((error) => (error === null || error === undefined ? resolve() : reject(error))),
    )
    await waitFor('the terminating push drops the series', async () => !(await scrape()).includes(instanceId))
  })
})
