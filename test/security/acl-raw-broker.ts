// Fixture for raw-protocol ACL tests: an in-process broker with one SASL_PLAINTEXT listener, the
// authorizer on, `User:alice` a super user and `User:bob` an ordinary one (PLAIN, both from a users
// file). `login` authenticates a CodecClient (SaslHandshake v1 + SaslAuthenticate v2 with a PLAIN
// token); `grant` / `revokeAll` change ACLs through CreateAcls / DeleteAcls as alice, so every
// change goes through the broker's own API.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, beforeEach } from 'node:test'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/security/acl/model.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody } from '../helpers/kafka-codec-client.ts'

export const passwords = { alice: 'alice-secret', bob: 'bob-secret' } as const
export type User = keyof typeof passwords

export interface AclRawBroker {
  broker: RunningBroker
  login(user: User): Promise<CodecClient>
  /** ACLs, by default LITERAL ALLOW for User:bob from any host. */
  grant(acls: Grant[]): Promise<void>
  /** Removes every ACL. */
  revokeAll(): Promise<void>
  stop(): Promise<void>
}

export interface Grant {
  resourceType: number
  resourceName: string
  operation: number
  patternType?: number
  permissionType?: number
  principal?: string
}

export { AclOperation as Op, AclPermissionType as Perm, PatternType, ResourceType as Res }

/** `delegationTokenSecret`: enables delegation tokens (delegation.token.secret.key). */
export async function startAclRawBroker(
  options: { delegationTokenSecret?: string } = {},
): Promise<AclRawBroker> {
  const dir = await makeTempDir('streamline-acl-raw-')
  const usersFile = join(dir, 'users.yaml')
  await writeFile(
    usersFile,
    `users:\n  alice:\n    password: ${passwords.alice}\n  bob:\n    password: ${passwords.bob}\n`,
  )
  const broker = await startBroker({
    dataDir: join(dir, 'data'),
    httpAddr: null,
    logLevel: 'silent',
    listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
    security: {
      usersFile,
      authorizer: { superUsers: ['User:alice'], allowEveryoneIfNoAclFound: false },
      ...(options.delegationTokenSecret === undefined
        ? {}
        : {
            delegationTokens: {
              secretKey: options.delegationTokenSecret,
              maxLifetimeMs: 604_800_000,
              expiryTimeMs: 86_400_000,
              expiryCheckIntervalMs: 3_600_000,
            },
          }),
    },
  })
  await broker.groupsLoaded
  const clients: CodecClient[] = []
  const login = async (user: User): Promise<CodecClient> => {
    const client = await CodecClient.open(broker.host, broker.port)
    clients.push(client)
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    assert.equal(handshake.errorCode, 0)
    const authenticated = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: Buffer.from(`\0${user}\0${passwords[user]}`),
    })
    assert.equal(authenticated.errorCode, 0, `${user} logs in`)
    return client
  }
  const admin = await login('alice')
  return {
    broker,
    login,
    async grant(acls) {
      const response = await admin.request(ApiKey.CreateAcls, 3, {
        creations: acls.map((acl) => ({
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          resourcePatternType: acl.patternType ?? PatternType.LITERAL,
          principal: acl.principal ?? 'User:bob',
          host: '*',
          operation: acl.operation,
          permissionType: acl.permissionType ?? AclPermissionType.ALLOW,
        })),
      })
      assert.deepEqual(
        response.results.map((result) => result.errorCode),
        acls.map(() => 0),
      )
    },
    async revokeAll() {
      const response = await admin.request(ApiKey.DeleteAcls, 3, {
        filters: [
          {
            resourceTypeFilter: ResourceType.ANY,
            resourceNameFilter: null,
            patternTypeFilter: PatternType.ANY,
            principalFilter: null,
            hostFilter: null,
            operation: AclOperation.ANY,
            permissionType: AclPermissionType.ANY,
          },
        ],
      })
      assert.equal(response.filterResults[0]?.errorCode, 0)
    },
    async stop() {
      for (const client of clients) client.close()
      await broker.close()
      await removeTempDir(dir)
    },
  }
}

export interface AclScene {
  acl: AclRawBroker
  alice: CodecClient
  bob: CodecClient
}

/**
 * Registers a suite's hooks: a broker with alice (super user) and bob logged in and `topics` created
 * by alice, stopped after the suite; every test starts with no ACLs. The scene is filled in `before`.
 */
export function useAclScene(topics: string[]): AclScene {
  const scene = {} as AclScene
  before(async () => {
    scene.acl = await startAclRawBroker()
    scene.alice = await scene.acl.login('alice')
    scene.bob = await scene.acl.login('bob')
    const body = createTopicsRequestBody(topics.map((name) => ({ name })))
    const created = await scene.alice.request(ApiKey.CreateTopics, 7, body)
    assert.deepEqual(
      created.topics.map((topic) => topic.errorCode),
      topics.map(() => 0),
    )
  })
  after(async () => {
    await scene.acl?.stop()
  })
  beforeEach(async () => {
    await scene.acl.revokeAll()
  })
  return scene
}
