// Goal: KIP-714 client telemetry as Kafka 3.9 serves it, over the raw protocol at every version
// (GetTelemetrySubscriptions v0, PushTelemetry v0, ListClientMetricsResources v0): CLIENT_METRICS
// subscriptions through IncrementalAlterConfigs/DescribeConfigs with Kafka's names and checks, the
// subscription a client gets (ids, prefixes, interval, codecs), Kafka's push rules and error codes,
// metrics pushed uncompressed and under every codec shown on /metrics and forwarded over OTLP, and
// malformed payloads refused with INVALID_RECORD while the broker keeps serving. A default broker
// advertises neither 71 nor 72 (clients never start pushing unless it is turned on).
// Method: in-process brokers on a data dir (one with client telemetry on and an OTLP receiver, one
// default), the generated codecs for requests, payloads encoded by OpenTelemetry's own SDK and
// serializer (test/helpers/otlp.ts), the broker's compression codecs for the compressed pushes.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ZERO_UUID } from '../../src/protocol/codec-helpers.ts'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import { CompressionCodec, compress } from '../../src/protocol/records/compression/index.ts'
import { decodeMetricsData } from '../../src/telemetry/otlp-metrics.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, encodeRequest } from '../helpers/kafka-codec-client.ts'
import { type OtlpReceiver, otlpMetricsPayload, startOtlpReceiver } from '../helpers/otlp.ts'

const CLIENT_METRICS = 16
const SET = 0
const DELETE = 1
const APPEND = 2

async function alter(
  client: CodecClient,
  name: string,
  configs: Array<{ name: string; value: string | null; configOperation?: number }>,
) {
  const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: CLIENT_METRICS,
        resourceName: name,
        configs: configs.map((config) => ({ configOperation: SET, ...config })),
      },
    ],
    validateOnly: false,
  })
  const [result] = response.responses
  return { errorCode: result.errorCode, errorMessage: result.errorMessage }
}

async function listNames(client: CodecClient): Promise<string[]> {
  const response = await client.request(ApiKey.ListClientMetricsResources, 0, {})
  assert.equal(response.errorCode, ErrorCode.NONE)
  return response.clientMetricsResources.map((resource) => resource.name)
}

function push(
  client: CodecClient,
  fields: {
    clientInstanceId: string
    subscriptionId: number
    metrics: Buffer
    compressionType?: number
    terminating?: boolean
  },
) {
  return client.request(ApiKey.PushTelemetry, 0, { compressionType: 0, terminating: false, ...fields })
}

async function scrape(broker: RunningBroker): Promise<string> {
  const response = await fetch(`http://${broker.httpHost}:${broker.httpPort}/metrics`)
  return response.text()
}

describe('client telemetry (KIP-714)', () => {
  let dir: string
  let broker: RunningBroker
  let client: CodecClient
  let receiver: OtlpReceiver
  let payload: Buffer

  before(async () => {
    dir = await makeTempDir('streamline-client-telemetry-')
    receiver = await startOtlpReceiver()
    broker = await startBroker({
      dataDir: join(dir, 'data'),
      httpAddr: '127.0.0.1:0',
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      otel: {
        clientTelemetry: true,
        enabled: true,
        endpoint: receiver.url,
      },
    })
    client = await CodecClient.open(broker.host, broker.port)
    payload = await otlpMetricsPayload({
      gauge: {
        name: 'org.apache.kafka.producer.node.request.latency.avg',
        value: 2.5,
        attributes: { node_id: '0' },
      },
      sum: { name: 'org.apache.kafka.producer.connection.creation.total', value: 3 },
    })
  })
  after(async () => {
    client?.close()
    await broker?.close()
    await receiver?.close()
    await removeTempDir(dir)
  })

  test('ApiVersions advertises 71, 72 and 74 with Kafka version ranges when client telemetry is on', async () => {
    const response = await client.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'telemetry-test',
      clientSoftwareVersion: '1.0',
    })
    for (const apiKey of [71, 72, 74]) {
      const api = response.apiKeys.find((entry) => entry.apiKey === apiKey)
      assert.deepEqual(
        api && { min: api.minVersion, max: api.maxVersion },
        { min: 0, max: 0 },
        `api ${apiKey}`,
      )
    }
  })

  test('CLIENT_METRICS configs: Kafka checks and error codes', async () => {
    assert.deepEqual(await listNames(client), [])
    assert.equal(
      (await alter(client, 'bad', [{ name: 'interval.ms', value: '50' }])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    assert.equal(
      (await alter(client, 'bad', [{ name: 'interval.ms', value: 'soon' }])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    assert.deepEqual(await alter(client, 'bad', [{ name: 'retention.ms', value: '1' }]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unknown client metrics configuration: retention.ms',
    })
    assert.deepEqual(await alter(client, 'bad', [{ name: 'match', value: 'client_colour=red' }]), {
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid client matching pattern: client_colour=red',
    })
    assert.equal(
      (await alter(client, 'bad', [{ name: 'match', value: 'client_id' }])).errorCode,
      ErrorCode.INVALID_CONFIG,
    )
    assert.equal(
      (await alter(client, 'bad', [{ name: 'match', value: 'client_id=(' }])).errorCode,
      ErrorCode.INVALID_CONFIG,
    )
    assert.equal(
      (await alter(client, 'bad', [{ name: 'interval.ms', value: '1000', configOperation: APPEND }]))
        .errorCode,
      ErrorCode.INVALID_CONFIG,
    )
    assert.equal(
      (await alter(client, '', [{ name: 'metrics', value: '*' }])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    assert.deepEqual(await listNames(client), [], 'refused changes store nothing')
    const ok = await alter(client, 'producers', [
      { name: 'metrics', value: 'org.apache.kafka.producer.' },
      { name: 'interval.ms', value: '1000' },
      { name: 'match', value: 'client_id=sl-.*' },
    ])
    assert.deepEqual(ok, { errorCode: ErrorCode.NONE, errorMessage: null })
    assert.deepEqual(
      await alter(client, 'producers', [
        { name: 'metrics', value: 'org.apache.kafka.consumer.', configOperation: APPEND },
      ]),
      { errorCode: ErrorCode.NONE, errorMessage: null },
    )
    assert.deepEqual(
      await alter(client, 'unused', [
        { name: 'metrics', value: '*' },
        { name: 'match', value: 'client_id=nobody' },
      ]),
      {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
      },
    )
    assert.deepEqual(await listNames(client), ['producers', 'unused'])
    assert.deepEqual(
      await alter(client, 'unused', [
        { name: 'metrics', value: null, configOperation: DELETE },
        { name: 'match', value: null, configOperation: DELETE },
      ]),
      {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
      },
    )
    assert.deepEqual(await listNames(client), ['producers'], 'a subscription without configs is gone')
  })

  test('DescribeConfigs v0-v4 lists the three configs with sources and types', async () => {
    for (const version of [0, 1, 2, 3, 4]) {
      const response = await client.request(ApiKey.DescribeConfigs, version, {
        resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers', configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      })
      const [result] = response.results
      assert.equal(result.errorCode, ErrorCode.NONE)
      assert.deepEqual(
        result.configs.map((config) => [
          config.name,
          config.value,
          version >= 1 ? config.configSource : config.isDefault,
        ]),
        [
          ['metrics', 'org.apache.kafka.producer.,org.apache.kafka.consumer.', version >= 1 ? 7 : false],
          ['interval.ms', '1000', version >= 1 ? 7 : false],
          ['match', 'client_id=sl-.*', version >= 1 ? 7 : false],
        ],
        `v${version}`,
      )
    }
    const empty = await client.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: CLIENT_METRICS, resourceName: '', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    assert.equal(empty.results[0].errorCode, ErrorCode.INVALID_REQUEST)
  })

  test('GetTelemetrySubscriptions and PushTelemetry follow Kafka’s rules', async () => {
    const first = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })
    assert.equal(first.errorCode, ErrorCode.NONE)
    assert.notEqual(first.clientInstanceId, ZERO_UUID)
    assert.deepEqual(
      {
        accepted: first.acceptedCompressionTypes,
        interval: first.pushIntervalMs,
        maxBytes: first.telemetryMaxBytes,
        delta: first.deltaTemporality,
        metrics: first.requestedMetrics,
      },
      {
        accepted: [4, 3, 1, 2],
        interval: 1000,
        maxBytes: 1024 * 1024,
        delta: true,
        metrics: ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'],
      },
    )
    const id = first.clientInstanceId
    const again = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: id })
    assert.equal(again.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'a Get before the interval')
    assert.equal(
      (
        await push(client, {
          clientInstanceId: ZERO_UUID,
          subscriptionId: first.subscriptionId,
          metrics: payload,
        })
      ).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    assert.equal(
      (
        await push(client, {
          clientInstanceId: id,
          subscriptionId: first.subscriptionId + 1,
          metrics: payload,
        })
      ).errorCode,
      ErrorCode.UNKNOWN_SUBSCRIPTION_ID,
    )
    const refetched = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: id })
    assert.equal(
      refetched.errorCode,
      ErrorCode.NONE,
      'after UNKNOWN_SUBSCRIPTION_ID the client may re-fetch at once',
    )
    assert.equal(refetched.subscriptionId, first.subscriptionId)
    const accepted = await push(client, {
      clientInstanceId: id,
      subscriptionId: first.subscriptionId,
      metrics: payload,
    })
    assert.equal(accepted.errorCode, ErrorCode.NONE)
    const tooSoon = await push(client, {
      clientInstanceId: id,
      subscriptionId: first.subscriptionId,
      metrics: payload,
    })
    assert.equal(tooSoon.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED)
    const text = await scrape(broker)
    assert.match(
      text,
      new RegExp(
        `streamline_client_metric\\{client_instance_id="${id}",client_id="sl-test",name="org.apache.kafka.producer.node.request.latency.avg",attributes="node_id=0"\\} 2.5`,
      ),
    )
    assert.match(text, /name="org.apache.kafka.producer.connection.creation.total",attributes=""\} 3/)
    // Forwarded as OTLP/HTTP protobuf with the client's identity added to the resource.
    await receiver.waitFor((exports) => exports.some((entry) => entry.path === '/v1/metrics'))
    const forwarded = receiver.exports.find((entry) => entry.path === '/v1/metrics')
    assert.equal(forwarded?.contentType, 'application/x-protobuf')
    const decoded = decodeMetricsData(forwarded?.body ?? Buffer.alloc(0))
    assert.equal(decoded.resourceAttributes['service.name'], 'otlp-test-client')
    assert.equal(decoded.resourceAttributes.client_instance_id, id)
    assert.equal(decoded.resourceAttributes.client_id, 'sl-test')
    assert.deepEqual(
      decoded.metrics.map((metric) => [metric.name, metric.kind, metric.points.map((point) => point.value)]),
      [
        ['org.apache.kafka.producer.node.request.latency.avg', 'gauge', [2.5]],
        ['org.apache.kafka.producer.connection.creation.total', 'sum', [3]],
      ],
    )
  })

  test('every accepted codec decompresses; an unknown codec, an oversized or malformed payload is refused', async () => {
    for (const codec of [
      CompressionCodec.gzip,
      CompressionCodec.snappy,
      CompressionCodec.lz4,
      CompressionCodec.zstd,
    ]) {
      const get = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })
      const compressed = await compress(codec, payload)
      const answer = await push(client, {
        clientInstanceId: get.clientInstanceId,
        subscriptionId: get.subscriptionId,
        metrics: compressed,
        compressionType: codec,
      })
      assert.equal(answer.errorCode, ErrorCode.NONE, `codec ${codec}`)
      assert.match(
        await scrape(broker),
        new RegExp(`client_instance_id="${get.clientInstanceId}"[^}]*latency.avg`),
      )
    }
    const refusals: Array<[string, { metrics: Buffer; compressionType?: number }, number]> = [
      ['codec 6', { metrics: payload, compressionType: 6 }, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      ['over telemetry.max.bytes', { metrics: Buffer.alloc(1024 * 1024 + 1) }, ErrorCode.TELEMETRY_TOO_LARGE],
      ['truncated protobuf', { metrics: payload.subarray(0, payload.length - 3) }, ErrorCode.INVALID_RECORD],
      ['length past the end', { metrics: Buffer.from([0x0a, 0xff, 0x01, 0x00]) }, ErrorCode.INVALID_RECORD],
      ['group wire type', { metrics: Buffer.from([0x0b, 0x0c]) }, ErrorCode.INVALID_RECORD],
      [
        'not gzip',
        { metrics: Buffer.from('not gzip at all'), compressionType: CompressionCodec.gzip },
        ErrorCode.INVALID_RECORD,
      ],
      [
        'not zstd',
        { metrics: Buffer.from('not zstd at all'), compressionType: CompressionCodec.zstd },
        ErrorCode.INVALID_RECORD,
      ],
    ]
    for (const [what, fields, errorCode] of refusals) {
      const get = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })
      const answer = await push(client, {
        clientInstanceId: get.clientInstanceId,
        subscriptionId: get.subscriptionId,
        ...fields,
      })
      assert.equal(answer.errorCode, errorCode, what)
    }
    // Still serving on the same connection.
    assert.deepEqual(await listNames(client), ['producers'])
  })

  test('a truncated PushTelemetry frame closes only its connection; the broker keeps serving', async () => {
    const other = await CodecClient.open(broker.host, broker.port)
    const frame = encodeRequest(ApiKey.PushTelemetry, 0, 7, {
      clientInstanceId: ZERO_UUID,
      subscriptionId: 1,
      terminating: false,
      compressionType: 0,
      metrics: payload,
    })
    const truncated = frame.subarray(0, frame.length - 20)
    truncated.writeInt32BE(truncated.length - 4, 0)
    await other.connection.write(truncated)
    await other.connection.waitFor(() => other.connection.closed, 10_000)
    assert.equal(other.connection.closed, true)
    other.close()
    assert.deepEqual(await listNames(client), ['producers'], 'other connections are served')
  })

  test('a terminating push is accepted once, then the instance is refused', async () => {
    const get = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })
    const fields = {
      clientInstanceId: get.clientInstanceId,
      subscriptionId: get.subscriptionId,
      metrics: payload,
    }
    assert.equal((await push(client, { ...fields, terminating: true })).errorCode, ErrorCode.NONE)
    assert.equal((await push(client, { ...fields, terminating: true })).errorCode, ErrorCode.INVALID_REQUEST)
    assert.doesNotMatch(await scrape(broker), new RegExp(get.clientInstanceId), 'its series are dropped')
  })

  test('changed subscriptions give the client a new subscription id', async () => {
    const get = await client.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })
    await alter(client, 'producers', [{ name: 'metrics', value: '*' }])
    const stale = await push(client, {
      clientInstanceId: get.clientInstanceId,
      subscriptionId: get.subscriptionId,
      metrics: payload,
    })
    assert.equal(stale.errorCode, ErrorCode.UNKNOWN_SUBSCRIPTION_ID)
    const fresh = await client.request(ApiKey.GetTelemetrySubscriptions, 0, {
      clientInstanceId: get.clientInstanceId,
    })
    assert.equal(fresh.errorCode, ErrorCode.NONE)
    assert.notEqual(fresh.subscriptionId, get.subscriptionId)
    assert.deepEqual(fresh.requestedMetrics, [''], '* asks for every metric')
  })

  test('a default broker advertises neither 71 nor 72; 74 is served', async () => {
    const plain = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
    })
    const plainClient = await CodecClient.open(plain.host, plain.port)
    try {
      const response = await plainClient.request(ApiKey.ApiVersions, 3, {
        clientSoftwareName: 'telemetry-test',
        clientSoftwareVersion: '1.0',
      })
      const keys = response.apiKeys.map((api) => api.apiKey)
      assert.equal(keys.includes(71) || keys.includes(72), false)
      assert.equal(keys.includes(74), true)
      assert.deepEqual(await listNames(plainClient), [])
    } finally {
      plainClient.close()
      await plain.close()
    }
  })
})
