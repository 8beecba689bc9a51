// Goal: the ACLs of delegation tokens, as Kafka: creating a token for another owner needs
// CREATE_TOKENS on USER `User:<owner>` (else DELEGATION_TOKEN_AUTHORIZATION_FAILED); a token is
// described to its owner, requester and renewers, and to whoever holds DESCRIBE on DELEGATION_TOKEN
// `<tokenId>` or DESCRIBE_TOKENS on USER `User:<owner>`; a client logged in with a token acts as its
// owner under the owner's ACLs.
// Method: acl-raw-broker.ts (in-process broker, SASL_PLAINTEXT, authorizer on, alice super user, bob
// ordinary) with a delegation-token secret; ACLs changed through CreateAcls; the token login is
// kafkajs (token-login.ts) producing to a topic the owner may write and to one it may not.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import type { CodecClient } from '../helpers/kafka-codec-client.ts'
import { createTopicsRequestBody } from '../helpers/kafka-codec-client.ts'
import { type AclRawBroker, Op, Res, startAclRawBroker } from './acl-raw-broker.ts'
import { kafkaTokenSasl } from './token-login.ts'

let acl: AclRawBroker
let alice: CodecClient
let bob: CodecClient

before(async () => {
  acl = await startAclRawBroker({ delegationTokenSecret: 'acl-token-secret' })
  alice = await acl.login('alice')
  bob = await acl.login('bob')
  const created = await alice.request(
    ApiKey.CreateTopics,
    5,
    createTopicsRequestBody([{ name: 'dave-topic' }, { name: 'other-topic' }]),
  )
  assert.deepEqual(
    created.topics.map((topic) => topic.errorCode),
    [0, 0],
  )
})
after(async () => {
  await acl?.stop()
})

const createFor = (client: CodecClient, owner: string | null) =>
  client.request(ApiKey.CreateDelegationToken, 3, {
    ownerPrincipalType: owner === null ? null : 'User',
    ownerPrincipalName: owner,
    renewers: [],
    maxLifetimeMs: -1n,
  })

test('another owner needs CREATE_TOKENS on USER User:<owner>; describe follows ownership and DESCRIBE_TOKENS', async () => {
  const refused = await createFor(bob, 'dave')
  assert.equal(refused.errorCode, 65) // DELEGATION_TOKEN_AUTHORIZATION_FAILED
  assert.deepEqual(
    [refused.principalName, refused.tokenRequesterPrincipalName, refused.tokenId],
    ['dave', 'bob', ''],
  )
  await acl.grant([{ resourceType: Res.USER, resourceName: 'User:dave', operation: Op.CREATE_TOKENS }])
  const daves = await createFor(bob, 'dave')
  assert.equal(daves.errorCode, 0)
  assert.deepEqual([daves.principalName, daves.tokenRequesterPrincipalName], ['dave', 'bob'])
  const alices = await createFor(alice, null)
  assert.equal(alices.errorCode, 0)

  const listedTo = async (client: CodecClient) =>
    (await client.request(ApiKey.DescribeDelegationToken, 3, { owners: null })).tokens.map(
      (token) => token.tokenId,
    )
  // bob requested dave's token; alice's is not his.
  assert.deepEqual(await listedTo(bob), [daves.tokenId])
  // alice is a super user: both.
  assert.deepEqual((await listedTo(alice)).sort(), [daves.tokenId, alices.tokenId].sort())
  await acl.grant([{ resourceType: Res.USER, resourceName: 'User:alice', operation: Op.DESCRIBE_TOKENS }])
  assert.deepEqual((await listedTo(bob)).sort(), [daves.tokenId, alices.tokenId].sort())
  await acl.revokeAll()
  await acl.grant([
    { resourceType: Res.DELEGATION_TOKEN, resourceName: alices.tokenId, operation: Op.DESCRIBE },
  ])
  assert.deepEqual((await listedTo(bob)).sort(), [daves.tokenId, alices.tokenId].sort())
  await acl.revokeAll()
})

test("a token login acts as the owner, under the owner's ACLs", async () => {
  await acl.grant([{ resourceType: Res.USER, resourceName: 'User:dave', operation: Op.CREATE_TOKENS }])
  const token = await createFor(bob, 'dave')
  assert.equal(token.errorCode, 0)
  await acl.grant([
    { resourceType: Res.TOPIC, resourceName: 'dave-topic', operation: Op.WRITE, principal: 'User:dave' },
    { resourceType: Res.TOPIC, resourceName: 'dave-topic', operation: Op.DESCRIBE, principal: 'User:dave' },
  ])
  const producer = new Kafka({
    clientId: 'dave-token',
    brokers: [`${acl.broker.host}:${acl.broker.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: kafkaTokenSasl('scram-sha-256', token.tokenId, token.hmac),
  }).producer()
  await producer.connect()
  try {
    const [written] = await producer.send({ topic: 'dave-topic', messages: [{ value: 'from dave' }] })
    assert.equal(written?.errorCode, 0)
    await assert.rejects(
      producer.send({ topic: 'other-topic', messages: [{ value: 'not allowed' }] }),
      /not authorized|TOPIC_AUTHORIZATION_FAILED/i,
    )
  } finally {
    await producer.disconnect()
    await acl.revokeAll()
  }
})
