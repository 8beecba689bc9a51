// Goal: kafka-python (a pure-Python client with its own protocol code) connects, probes the
// broker's API versions, and describes the cluster: broker 0 at our address, controller 0, a
// non-empty cluster id that two calls agree on.
// Method: the broker runs as a CLI child process; a Python script builds KafkaAdminClient (whose
// constructor runs the ApiVersions probe), calls check_version() again explicitly, calls
// describe_cluster() twice, and prints the results as JSON.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('kafka-python')

const describeClusterScript = `
import json, sys
from kafka import KafkaAdminClient

admin = KafkaAdminClient(
    bootstrap_servers=sys.argv[1],
    client_id='streamline-compat',
    request_timeout_ms=10000,
    api_version_auto_timeout_ms=10000,
)
try:
    probed = admin._client.check_version(timeout=10)
    first = admin.describe_cluster()
    second = admin.describe_cluster()
    print(json.dumps({
        'probed_version': list(probed),
        'configured_version': list(admin.config['api_version']),
        'first': first,
        'second': second,
    }))
finally:
    admin.close()
`

interface DescribeClusterResult {
  probed_version: number[]
  configured_version: number[]
  first: Record<string, unknown>
  second: Record<string, unknown>
}

describe('kafka-python KafkaAdminClient', { skip }, () => {
  let broker: BrokerProcess

  before(async () => {
    broker = await startBrokerProcess()
  })

  after(async () => {
    await broker?.stop()
  })

  test('probes API versions and describes the cluster', async () => {
    const result = (await runPython(describeClusterScript, {
      args: [broker.bootstrap],
    })) as DescribeClusterResult

    // The probe found a broker that speaks ApiVersions (0.10 or later) and agreed with the constructor.
    assert.ok(result.probed_version.length >= 2, `probe returned ${JSON.stringify(result.probed_version)}`)
    assert.ok(
      result.probed_version[0] > 0 || result.probed_version[1] >= 10,
      `probe guessed a pre-0.10 broker: ${JSON.stringify(result.probed_version)}`,
    )
    assert.deepEqual(result.configured_version, result.probed_version)

    const clusterId = result.first.cluster_id
    assert.equal(typeof clusterId, 'string')
    assert.ok(String(clusterId).length > 0, 'cluster id is empty')
    const expected = {
      throttle_time_ms: 0,
      brokers: [{ node_id: 0, host: '127.0.0.1', port: broker.port, rack: null }],
      cluster_id: clusterId,
      controller_id: 0,
    }
    assert.deepEqual(result.first, expected)
    assert.deepEqual(result.second, expected)
  })
})
