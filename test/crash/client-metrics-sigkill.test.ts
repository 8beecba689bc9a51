// Goal: client-metrics subscriptions (CLIENT_METRICS configs, KIP-714) are durable: a change that
// IncrementalAlterConfigs acknowledged is there after the broker is SIGKILLed, and a client that asks
// for its subscription after the restart gets it. Also proves `--client-telemetry` works through the
// CLI's config path (the flag advertises the telemetry APIs).
// Method: the broker CLI as a process with --client-telemetry; two subscriptions set and one config
// deleted over a raw connection; SIGKILL right after the last answer; a new process on the same data
// dir; ListClientMetricsResources, DescribeConfigs and GetTelemetrySubscriptions must show them.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ZERO_UUID } from '../../src/protocol/codec-helpers.ts'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { CodecClient } from '../helpers/kafka-codec-client.ts'

const CLIENT_METRICS = 16

function start(dir: string): Promise<BrokerProcess> {
  return startBrokerProcess({ dataDir: join(dir, 'data'), args: ['--client-telemetry'] })
}

async function alter(client: CodecClient, name: string, configs: Array<[string, string | null, number]>) {
  const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: CLIENT_METRICS,
        resourceName: name,
        configs: configs.map(([config, value, configOperation]) => ({
          name: config,
          value,
          configOperation,
        })),
      },
    ],
    validateOnly: false,
  })
  assert.equal(response.responses[0].errorCode, ErrorCode.NONE)
}

test('client-metrics subscriptions acknowledged before a SIGKILL are there after the restart', async () => {
  const dir = await makeTempDir('streamline-client-metrics-kill-')
  let broker = await start(dir)
  try {
    const client = await CodecClient.open(broker.host, broker.port)
    await alter(client, 'all-producers', [
      ['metrics', 'org.apache.kafka.producer.', 0],
      ['interval.ms', '2000', 0],
    ])
    await alter(client, 'one-client', [
      ['metrics', '*', 0],
      ['match', 'client_id=nobody', 0],
    ])
    await alter(client, 'all-producers', [['interval.ms', null, 1]])
    await broker.kill()
    client.close()

    broker = await start(dir)
    const after = await CodecClient.open(broker.host, broker.port)
    const listed = await after.request(ApiKey.ListClientMetricsResources, 0, {})
    assert.deepEqual(
      listed.clientMetricsResources.map((resource) => resource.name),
      ['all-producers', 'one-client'],
    )
    const described = await after.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: CLIENT_METRICS, resourceName: 'all-producers', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    assert.deepEqual(
      described.results[0].configs.map((config) => [config.name, config.value, config.configSource]),
      [
        ['metrics', 'org.apache.kafka.producer.', 7],
        ['interval.ms', '300000', 5],
        ['match', '', 5],
      ],
    )
    const subscription = await after.request(ApiKey.GetTelemetrySubscriptions, 0, {
      clientInstanceId: ZERO_UUID,
    })
    assert.equal(subscription.errorCode, ErrorCode.NONE)
    assert.deepEqual(subscription.requestedMetrics, ['org.apache.kafka.producer.'])
    assert.equal(subscription.pushIntervalMs, 300_000)
    after.close()
  } finally {
    await broker.stop()
    await removeTempDir(dir)
  }
})
