// Goal: every group of a cluster is listed by the HTTP API of any broker and by `streamline-cli groups
// list`, while each broker's Kafka ListGroups answers only the groups it coordinates (as Kafka's); and
// offsets.topic.num.partitions sets the number of group coordinator slots, fixed when the cluster is
// created (cluster_settings, coordinator_leases).
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, three brokers started with
// --groups-offsets-topic-num-partitions 6). Six groups, one per slot (Kafka's hash modulo 6), get
// committed offsets through kafkajs (each OffsetCommit goes to the group's coordinator); then raw
// ListGroups to each broker, GET /api/v1/groups on each broker and the bundled streamline-cli.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { type CliHarness, startCliHarness } from '../cli/cli-harness.ts'
import { httpUrlOf } from '../helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody, metadataRequestBody } from '../helpers/kafka-codec-client.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres()
const slots = 6
let cluster: TestCluster
let database: pg.Client
let cli: CliHarness

before(async () => {
  if (skip) return
  ;[cluster, cli] = await Promise.all([
    // No initial rebalance delay: kafkajs's setOffsets joins each group with a consumer of its own.
    startCluster(3, [
      '--groups-offsets-topic-num-partitions',
      String(slots),
      '--groups-initial-rebalance-delay-ms',
      '0',
    ]),
    startCliHarness(),
  ])
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  if (skip) return
  await database?.end()
  await Promise.all([cluster?.dispose(), cli?.close()])
})

/** Java's String.hashCode, abs, modulo the slots (Kafka's partitionFor). */
function slotOf(groupId: string): number {
  let hash = 0
  for (let index = 0; index < groupId.length; index++)
    hash = (Math.imul(hash, 31) + groupId.charCodeAt(index)) | 0
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % slots
}

/** One group id per slot. */
function groupPerSlot(): string[] {
  const bySlot = new Map<number, string>()
  for (let index = 0; bySlot.size < slots; index++) {
    const groupId = `listed-${index}`
    if (!bySlot.has(slotOf(groupId))) bySlot.set(slotOf(groupId), groupId)
  }
  return [...bySlot.values()].sort()
}

/** Creates the topic through the first broker and waits until every broker's Metadata has it. */
async function createTopicEverywhere(topic: string): Promise<void> {
  const first = await CodecClient.open(cluster.brokers[0].host, cluster.brokers[0].port)
  const created = await first.request(ApiKey.CreateTopics, 5, createTopicsRequestBody([{ name: topic }]))
  first.close()
  assert.equal(created.topics[0].errorCode, 0)
  for (const broker of cluster.brokers)
    await waitFor(`${topic} led and known on port ${broker.port}`, async () => {
      const client = await CodecClient.open(broker.host, broker.port)
      const metadata = await client.request(ApiKey.Metadata, 9, metadataRequestBody([topic], false))
      client.close()
      const found = metadata.topics[0]
      return found?.errorCode === 0 && found.partitions[0]?.errorCode === 0 ? true : null
    })
}

test('offsets.topic.num.partitions sets the coordinator slots; every broker lists every group over HTTP', {
  skip,
}, async () => {
  const settings = await database.query<{ value: string; slots: number }>(
    `SELECT value, (SELECT count(*)::int FROM coordinator_leases WHERE key_type = 0) AS slots
     FROM cluster_settings WHERE name = 'group_coordinator_slots'`,
  )
  assert.deepEqual(settings.rows, [{ value: String(slots), slots }])
  await waitFor('each broker holds two slots', async () => {
    const held = await database.query<{ held: number }>(
      `SELECT count(*)::int AS held FROM coordinator_leases WHERE key_type = 0 AND lease_expires_at > now()
       GROUP BY broker_id`,
    )
    return held.rows.length === 3 && held.rows.every((row) => row.held === 2) ? true : null
  })

  const kafka = new Kafka({
    clientId: 'cluster-group-listing',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  await createTopicEverywhere('listed')
  const admin = kafka.admin()
  await admin.connect()
  const groups = groupPerSlot()
  // At once: each call runs a consumer of its own for ~5 s (kafkajs), one group per slot.
  await Promise.all(
    groups.map((groupId) =>
      admin.setOffsets({ groupId, topic: 'listed', partitions: [{ partition: 0, offset: '0' }] }),
    ),
  )
  await admin.disconnect()

  // Kafka's ListGroups: each broker answers the groups of the slots it holds, no more.
  const listedByBroker: string[][] = []
  for (const broker of cluster.brokers) {
    const client = await CodecClient.open(broker.host, broker.port)
    const response = await client.request(ApiKey.ListGroups, 4, { statesFilter: [], typesFilter: [] })
    client.close()
    assert.equal(response.errorCode, 0)
    listedByBroker.push(response.groups.map((group) => group.groupId).sort())
  }
  assert.deepEqual(listedByBroker.flat().sort(), groups)
  assert.deepEqual(
    listedByBroker.map((listed) => listed.length),
    [2, 2, 2],
  )

  for (const broker of cluster.brokers) {
    const response = await fetch(`${httpUrlOf(broker)}/api/v1/groups`)
    assert.equal(response.status, 200)
    assert.deepEqual(
      await response.json(),
      { groups: groups.map((groupId) => ({ groupId, state: 'Empty', protocolType: 'consumer' })) },
      `GET /api/v1/groups on port ${broker.port}`,
    )
  }

  const listed = await cli.run(['-b', cluster.brokers[0].bootstrap, 'groups', 'list'])
  assert.equal(listed.code, 0, listed.stderr)
  const names = listed.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0])
  assert.deepEqual(names, groups)
})
