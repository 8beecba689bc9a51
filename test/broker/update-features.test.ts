// Goal: feature flags as Kafka 3.9 reports and changes them: ApiVersions v3+ lists the supported
// features and the finalized levels with their epoch; UpdateFeatures v0-2 refuses what is not
// supported with Kafka's INVALID_UPDATE_VERSION messages, validates without changing, applies all or
// nothing, persists across a restart, and group.version really gates the KIP-848 protocol.
// Method: an in-process broker on a data dir, raw requests with the generated codecs (no installed
// client has an UpdateFeatures call; @platformatic/kafka's own v1 encoder is used as a cross-check),
// ConsumerGroupHeartbeat v0 before and after group.version changes, a restart on the same data dir,
// a truncated request, and the ACL check on the authorizer fixture.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Connection, updateFeaturesV1 } from '@platformatic/kafka'
import { type RunningBroker, type StartBrokerOptions, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, encodeRequest } from '../helpers/kafka-codec-client.ts'
import { Op, Res, startAclRawBroker } from '../security/acl-raw-broker.ts'

const INVALID_UPDATE_VERSION = 95
const update = (feature: string, maxVersionLevel: number, upgradeType = 1) => ({
  feature,
  maxVersionLevel,
  allowDowngrade: false,
  upgradeType,
})

async function finalizedOf(client: CodecClient) {
  const response = await client.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: 'features-test',
    clientSoftwareVersion: '1.0',
  })
  return {
    epoch: response.finalizedFeaturesEpoch,
    levels: response.finalizedFeatures.map((feature) => [
      feature.name,
      feature.minVersionLevel,
      feature.maxVersionLevel,
    ]),
  }
}

async function heartbeatError(client: CodecClient): Promise<number> {
  const response = await client.request(ApiKey.ConsumerGroupHeartbeat, 0, {
    groupId: 'features-group',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['features-topic'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
  })
  return response.errorCode
}

describe('UpdateFeatures and finalized features', () => {
  let dir: string
  let options: StartBrokerOptions
  let broker: RunningBroker
  let client: CodecClient

  before(async () => {
    dir = await makeTempDir('streamline-features-')
    options = { dataDir: join(dir, 'data'), httpAddr: null, logLevel: 'silent', listenAddr: '127.0.0.1:0' }
    broker = await startBroker(options)
    await broker.groupsLoaded
    client = await CodecClient.open(broker.host, broker.port)
  })
  after(async () => {
    client?.close()
    await broker?.close()
    await removeTempDir(dir)
  })

  test('ApiVersions v3 and v4 list supported features and finalized levels; v0-v2 carry none', async () => {
    for (const version of [3, 4]) {
      const response = await client.request(ApiKey.ApiVersions, version, {
        clientSoftwareName: 'features-test',
        clientSoftwareVersion: '1.0',
      })
      assert.deepEqual(
        response.supportedFeatures.map((feature) => [feature.name, feature.minVersion, feature.maxVersion]),
        [
          ['group.version', 0, 1],
          ['kraft.version', 0, 0],
          ['metadata.version', 21, 21],
        ],
      )
      assert.equal(response.finalizedFeaturesEpoch, 0n)
      assert.deepEqual(
        response.finalizedFeatures.map((feature) => [
          feature.name,
          feature.minVersionLevel,
          feature.maxVersionLevel,
        ]),
        [
          ['group.version', 1, 1],
          ['metadata.version', 21, 21],
        ],
      )
    }
    const old = await client.request(ApiKey.ApiVersions, 2, {
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    })
    assert.deepEqual([old.supportedFeatures, old.finalizedFeatures], [[], []])
  })

  test('refusals carry Kafka messages; v0-v1 repeat the outcome per feature, v2 has no results', async () => {
    const cases: Array<[ReturnType<typeof update>, string]> = [
      [
        update('foo.version', 1),
        'Invalid update version 1 for feature foo.version. Local controller 0 does not support this feature.',
      ],
      [
        update('metadata.version', 20, 2),
        'Invalid update version 20 for feature metadata.version. Local controller 0 only supports versions SupportedVersionRange[min_version:21, max_version:21]',
      ],
      [
        update('group.version', 0),
        "Invalid update version 0 for feature group.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.",
      ],
      [update('group.version', 1, 2), ''],
      [
        update('group.version', 1, 9),
        'Invalid update version 1 for feature group.version. The controller does not support the given upgrade type.',
      ],
      [
        update('group.version', -1, 3),
        'Invalid update version -1 for feature group.version. A feature version cannot be less than 0.',
      ],
    ]
    for (const [featureUpdate, message] of cases) {
      if (message === '') continue
      for (const version of [1, 2]) {
        const response = await client.request(ApiKey.UpdateFeatures, version, {
          timeoutMs: 10_000,
          featureUpdates: [featureUpdate],
          validateOnly: false,
        })
        assert.deepEqual([response.errorCode, response.errorMessage], [INVALID_UPDATE_VERSION, message])
        assert.deepEqual(
          response.results,
          version === 2
            ? []
            : [{ feature: featureUpdate.feature, errorCode: INVALID_UPDATE_VERSION, errorMessage: message }],
        )
      }
    }
    // Same level again is no change and no error; a feature named twice is INVALID_REQUEST.
    const same = await client.request(ApiKey.UpdateFeatures, 1, {
      timeoutMs: 10_000,
      featureUpdates: [update('group.version', 1), update('metadata.version', 21)],
      validateOnly: false,
    })
    assert.deepEqual(
      same.results.map((result) => [result.feature, result.errorCode]),
      [
        ['group.version', 0],
        ['metadata.version', 0],
      ],
    )
    const twice = await client.request(ApiKey.UpdateFeatures, 1, {
      timeoutMs: 10_000,
      featureUpdates: [update('group.version', 1), update('group.version', 0, 2)],
      validateOnly: false,
    })
    assert.equal(twice.errorCode, 42)
    assert.deepEqual((await finalizedOf(client)).epoch, 1n)
  })

  test('validate_only changes nothing (also through @platformatic/kafka); all or nothing', async () => {
    const connection = new Connection('features-test')
    await connection.connect(broker.host, broker.port)
    try {
      const validated = await updateFeaturesV1.api.async(
        connection,
        10_000,
        [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }],
        true,
      )
      assert.equal(validated.errorCode, 0)
    } finally {
      await connection.close()
    }
    const mixed = await client.request(ApiKey.UpdateFeatures, 1, {
      timeoutMs: 10_000,
      featureUpdates: [update('group.version', 0, 2), update('kraft.version', 1)],
      validateOnly: false,
    })
    assert.equal(mixed.errorCode, INVALID_UPDATE_VERSION)
    assert.deepEqual((await finalizedOf(client)).levels, [
      ['group.version', 1, 1],
      ['metadata.version', 21, 21],
    ])
    assert.equal(await heartbeatError(client), 0)
  })

  test('group.version 0 turns the consumer protocol off (UNSUPPORTED_VERSION); it survives a restart', async () => {
    const downgraded = await client.request(ApiKey.UpdateFeatures, 0, {
      timeoutMs: 10_000,
      featureUpdates: [
        { feature: 'group.version', maxVersionLevel: 0, allowDowngrade: true, upgradeType: 1 },
      ],
      validateOnly: false,
    })
    assert.equal(downgraded.errorCode, 0)
    const after = await finalizedOf(client)
    assert.deepEqual(after.levels, [['metadata.version', 21, 21]])
    const epoch = after.epoch
    assert.equal(await heartbeatError(client), 35)

    client.close()
    await broker.close()
    broker = await startBroker(options)
    await broker.groupsLoaded
    client = await CodecClient.open(broker.host, broker.port)
    assert.deepEqual(await finalizedOf(client), { epoch, levels: [['metadata.version', 21, 21]] })
    assert.equal(await heartbeatError(client), 35)

    const upgraded = await client.request(ApiKey.UpdateFeatures, 2, {
      timeoutMs: 10_000,
      featureUpdates: [update('group.version', 1)],
      validateOnly: false,
    })
    assert.equal(upgraded.errorCode, 0)
    assert.equal(await heartbeatError(client), 0)
  })

  test('a truncated UpdateFeatures closes its connection; the broker keeps serving', async () => {
    const frame = encodeRequest(ApiKey.UpdateFeatures, 1, 9, {
      timeoutMs: 10_000,
      featureUpdates: [update('group.version', 1)],
      validateOnly: false,
    })
    const cut = Buffer.from(frame.subarray(0, frame.length - 4))
    cut.writeInt32BE(cut.length - 4, 0)
    const bad = await CodecClient.open(broker.host, broker.port)
    await bad.connection.write(cut)
    assert.equal(await bad.connection.waitForClose(10_000), true)
    assert.equal((await finalizedOf(client)).levels.length, 2)
  })
})

test('UpdateFeatures needs ALTER on the cluster', async () => {
  const acl = await startAclRawBroker()
  try {
    const bob = await acl.login('bob')
    const request = { timeoutMs: 10_000, featureUpdates: [update('group.version', 1)], validateOnly: true }
    const refused = await bob.request(ApiKey.UpdateFeatures, 1, request)
    assert.deepEqual(
      [refused.errorCode, refused.errorMessage, refused.results],
      [31, 'Cluster authorization failed.', []],
    )
    await acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }])
    assert.equal((await bob.request(ApiKey.UpdateFeatures, 1, request)).errorCode, 0)
  } finally {
    await acl.stop()
  }
})
