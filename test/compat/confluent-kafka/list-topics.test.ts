// Goal: confluent-kafka (Python on librdkafka) reads the cluster metadata: broker 0 at our address,
// controller 0, no topics, and a cluster id that is stable across calls and across a restart of
// the broker on the same data directory (the id is persisted per data dir).
// Method: the broker runs as a CLI child process on a data dir the test owns; a Python script
// calls AdminClient.list_topics() twice and prints both results as JSON; the broker is stopped
// (SIGTERM), started again on the same dir, and the script runs again.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { makeTempDir, removeTempDir, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('confluent-kafka')

const listTopicsTwice = `
import json, sys
from confluent_kafka.admin import AdminClient

client = AdminClient({'bootstrap.servers': sys.argv[1], 'socket.timeout.ms': 10000})

def describe(metadata):
    return {
        'cluster_id': metadata.cluster_id,
        'controller_id': metadata.controller_id,
        'brokers': {str(id): {'id': b.id, 'host': b.host, 'port': b.port} for id, b in metadata.brokers.items()},
        'topics': sorted(metadata.topics.keys()),
    }

first = describe(client.list_topics(timeout=10))
second = describe(client.list_topics(timeout=10))
print(json.dumps([first, second]))
`

interface ListTopicsResult {
  cluster_id: string
  controller_id: number
  brokers: Record<string, { id: number; host: string; port: number }>
  topics: string[]
}

function expected(port: number, clusterId: string): ListTopicsResult {
  return {
    cluster_id: clusterId,
    controller_id: 0,
    brokers: { '0': { id: 0, host: '127.0.0.1', port } },
    topics: [],
  }
}

async function listTopicsTwiceAgainst(bootstrap: string): Promise<[ListTopicsResult, ListTopicsResult]> {
  const results = await runPython(listTopicsTwice, { args: [bootstrap] })
  assert.ok(
    Array.isArray(results) && results.length === 2,
    `unexpected script output ${JSON.stringify(results)}`,
  )
  return results as [ListTopicsResult, ListTopicsResult]
}

describe('confluent-kafka AdminClient.list_topics', { skip }, () => {
  let dataDir: string

  before(async () => {
    dataDir = await makeTempDir()
  })

  after(async () => {
    if (dataDir) await removeTempDir(dataDir)
  })

  test('lists broker 0, controller 0, no topics, and a cluster id that survives a restart', async () => {
    const firstBroker = await startBrokerProcess({ dataDir })
    let clusterId: string
    try {
      const [first, second] = await listTopicsTwiceAgainst(firstBroker.bootstrap)
      clusterId = first.cluster_id
      assert.equal(typeof clusterId, 'string')
      assert.ok(clusterId.length > 0, 'cluster id is empty')
      assert.deepEqual(first, expected(firstBroker.port, clusterId))
      assert.deepEqual(second, expected(firstBroker.port, clusterId))
    } finally {
      await firstBroker.stop()
    }

    const restarted = await startBrokerProcess({ dataDir })
    try {
      const [afterRestart] = await listTopicsTwiceAgainst(restarted.bootstrap)
      assert.deepEqual(afterRestart, expected(restarted.port, clusterId))
    } finally {
      await restarted.stop()
    }
  })
})
