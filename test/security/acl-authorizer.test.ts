// The authorizer's decisions (Kafka's StandardAuthorizer rules), ACL filters and persistence.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { AclStore } from '../../src/security/acl/acl-store.ts'
import { Authorizer, openAuthorizer } from '../../src/security/acl/authorizer.ts'
import {
  type AclBinding,
  invalidBindingReason,
  AclOperation as Op,
  PatternType,
  AclPermissionType as Perm,
  ResourceType as Res,
} from '../../src/security/acl/model.ts'
import { hostOf } from '../../src/security/acl/request.ts'

function acl(partial: Partial<AclBinding>): AclBinding {
  return {
    resourceType: Res.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: Perm.ALLOW,
    ...partial,
  }
}

async function authorizerWith(
  bindings: AclBinding[],
  options: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {},
): Promise<Authorizer> {
  const store = new AclStore({})
  await store.add(bindings)
  return new Authorizer(store, {
    superUsers: options.superUsers ?? [],
    allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound ?? false,
  })
}

test('LITERAL matches the exact name only; PREFIXED matches names starting with it', async () => {
  const authorizer = await authorizerWith([
    acl({ resourceName: 'orders' }),
    acl({ resourceName: 'pay.', patternType: PatternType.PREFIXED }),
  ])
  const read = (name: string) => authorizer.authorize('User:alice', '10.0.0.1', Op.READ, Res.TOPIC, name)
  assert.equal(read('orders'), true)
  assert.equal(read('orders.x'), false)
  assert.equal(read('order'), false)
  assert.equal(read('pay.'), true)
  assert.equal(read('pay.eu'), true)
  assert.equal(read('pay'), false)
  assert.equal(read('xpay.eu'), false)
  // Same name, other resource type: no match.
  assert.equal(authorizer.authorize('User:alice', '10.0.0.1', Op.READ, Res.GROUP, 'orders'), false)
})

test('the literal wildcard name and User:* apply to every resource and principal', async () => {
  const authorizer = await authorizerWith([
    acl({ resourceName: '*', principal: 'User:*', operation: Op.WRITE }),
  ])
  assert.equal(authorizer.authorize('User:bob', 'h', Op.WRITE, Res.TOPIC, 'anything'), true)
  assert.equal(authorizer.authorize('User:bob', 'h', Op.READ, Res.TOPIC, 'anything'), false)
})

test('DENY wins over ALLOW, whatever the pattern', async () => {
  const authorizer = await authorizerWith([
    acl({ resourceName: 'orders', patternType: PatternType.PREFIXED, operation: Op.ALL }),
    acl({ resourceName: 'orders.secret', permissionType: Perm.DENY }),
    acl({ resourceName: '*', principal: 'User:*', permissionType: Perm.DENY, operation: Op.DELETE }),
  ])
  assert.equal(authorizer.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders.x'), true)
  assert.equal(authorizer.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders.secret'), false)
  assert.equal(authorizer.authorize('User:alice', 'h', Op.WRITE, Res.TOPIC, 'orders.secret'), true)
  assert.equal(authorizer.authorize('User:alice', 'h', Op.DELETE, Res.TOPIC, 'orders.x'), false)
})

test('DENY ALL denies every operation', async () => {
  const authorizer = await authorizerWith([
    acl({ operation: Op.ALL }),
    acl({ operation: Op.ALL, permissionType: Perm.DENY, host: '10.0.0.9' }),
  ])
  assert.equal(authorizer.authorize('User:alice', '10.0.0.9', Op.DESCRIBE, Res.TOPIC, 'orders'), false)
  assert.equal(authorizer.authorize('User:alice', '10.0.0.1', Op.DESCRIBE, Res.TOPIC, 'orders'), true)
})

test('READ, WRITE, DELETE, ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL implies all', async () => {
  for (const operation of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    const authorizer = await authorizerWith([acl({ operation })])
    assert.equal(
      authorizer.authorize('User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders'),
      true,
      String(operation),
    )
  }
  for (const operation of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]) {
    const authorizer = await authorizerWith([acl({ operation })])
    assert.equal(
      authorizer.authorize('User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders'),
      false,
      String(operation),
    )
  }
  const configs = await authorizerWith([acl({ operation: Op.ALTER_CONFIGS })])
  assert.equal(configs.authorize('User:alice', 'h', Op.DESCRIBE_CONFIGS, Res.TOPIC, 'orders'), true)
  assert.equal(configs.authorize('User:alice', 'h', Op.ALTER, Res.TOPIC, 'orders'), false)
  const describe = await authorizerWith([acl({ operation: Op.DESCRIBE })])
  assert.equal(describe.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders'), false)
  const all = await authorizerWith([acl({ operation: Op.ALL })])
  for (const operation of [
    Op.READ,
    Op.WRITE,
    Op.CREATE,
    Op.DELETE,
    Op.ALTER,
    Op.DESCRIBE,
    Op.ALTER_CONFIGS,
  ]) {
    assert.equal(all.authorize('User:alice', 'h', operation, Res.TOPIC, 'orders'), true, String(operation))
  }
  // DENY DESCRIBE does not deny READ (Kafka: implication applies to ALLOW only).
  const denyDescribe = await authorizerWith([
    acl({}),
    acl({ operation: Op.DESCRIBE, permissionType: Perm.DENY }),
  ])
  assert.equal(denyDescribe.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders'), true)
  assert.equal(denyDescribe.authorize('User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders'), false)
})

test('hosts: "*" or the exact address', async () => {
  const authorizer = await authorizerWith([acl({ host: '10.0.0.1' })])
  assert.equal(authorizer.authorize('User:alice', '10.0.0.1', Op.READ, Res.TOPIC, 'orders'), true)
  assert.equal(authorizer.authorize('User:alice', '10.0.0.2', Op.READ, Res.TOPIC, 'orders'), false)
  assert.equal(hostOf('127.0.0.1:5000'), '127.0.0.1')
  assert.equal(hostOf('::ffff:127.0.0.1:5000'), '127.0.0.1')
  assert.equal(hostOf('::1:5000'), '::1')
  assert.equal(hostOf('[::1]:5000'), '::1')
})

test('principals match exactly', async () => {
  const authorizer = await authorizerWith([acl({})])
  assert.equal(authorizer.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders'), true)
  assert.equal(authorizer.authorize('User:alicia', 'h', Op.READ, Res.TOPIC, 'orders'), false)
  assert.equal(authorizer.authorize('User:ANONYMOUS', 'h', Op.READ, Res.TOPIC, 'orders'), false)
})

test('super users may do everything, even against a DENY', async () => {
  const authorizer = await authorizerWith(
    [acl({ principal: 'User:admin', operation: Op.ALL, permissionType: Perm.DENY })],
    { superUsers: ['User:admin'] },
  )
  assert.equal(authorizer.authorize('User:admin', 'h', Op.WRITE, Res.TOPIC, 'orders'), true)
  assert.equal(authorizer.authorize('User:admin', 'h', Op.ALTER, Res.CLUSTER, 'kafka-cluster'), true)
  assert.equal(authorizer.authorize('User:bob', 'h', Op.WRITE, Res.TOPIC, 'orders'), false)
})

test('no ACL on a resource: denied unless allow.everyone.if.no.acl.found', async () => {
  const strict = await authorizerWith([acl({ principal: 'User:bob' })])
  assert.equal(strict.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'free'), false)
  const open = await authorizerWith([acl({ principal: 'User:bob' })], { allowEveryoneIfNoAclFound: true })
  assert.equal(open.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'free'), true)
  // An ACL exists on `orders` (for bob): alice is denied even with the flag.
  assert.equal(open.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders'), false)
  assert.equal(open.authorize('User:bob', 'h', Op.READ, Res.TOPIC, 'orders'), true)
})

test('validation: Kafka refuses ANY codes, MATCH patterns, a cluster not named kafka-cluster', () => {
  assert.equal(invalidBindingReason(acl({})), null)
  assert.equal(invalidBindingReason(acl({ resourceType: Res.ANY })), 'invalid resource type 1')
  assert.equal(invalidBindingReason(acl({ patternType: PatternType.MATCH })), 'invalid pattern type 2')
  assert.equal(invalidBindingReason(acl({ operation: Op.ANY })), 'invalid operation 1')
  assert.equal(invalidBindingReason(acl({ permissionType: Perm.ANY })), 'invalid permission type 1')
  assert.equal(
    invalidBindingReason(acl({ resourceType: Res.CLUSTER, resourceName: 'c' })),
    'a CLUSTER resource is named kafka-cluster',
  )
  assert.equal(invalidBindingReason(acl({ principal: 'alice' })), 'principal alice is not Type:name')
})

test('filters: ANY, MATCH, exact pattern types; remove returns what each filter matched', async () => {
  const store = new AclStore({})
  const literal = acl({ resourceName: 'orders.x' })
  const prefixed = acl({ resourceName: 'orders.', patternType: PatternType.PREFIXED })
  const wildcardTopic = acl({ resourceName: '*', principal: 'User:bob' })
  const group = acl({ resourceType: Res.GROUP, resourceName: 'g' })
  await store.add([literal, prefixed, wildcardTopic, group, literal])
  assert.equal(store.all().length, 4)
  const any = {
    resourceType: Res.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
  }
  assert.deepEqual(store.matching(any), [literal, prefixed, wildcardTopic, group])
  assert.deepEqual(
    store.matching({
      ...any,
      resourceType: Res.TOPIC,
      resourceName: 'orders.x',
      patternType: PatternType.MATCH,
    }),
    [literal, prefixed, wildcardTopic],
  )
  assert.deepEqual(store.matching({ ...any, resourceName: 'orders.', patternType: PatternType.PREFIXED }), [
    prefixed,
  ])
  assert.deepEqual(store.matching({ ...any, principal: 'User:bob' }), [wildcardTopic])
  const removed = await store.remove([
    { ...any, resourceType: Res.GROUP },
    { ...any, principal: 'User:bob' },
  ])
  assert.deepEqual(removed, [[group], [wildcardTopic]])
  assert.deepEqual(store.all(), [literal, prefixed])
})

test('ACLs persist in <data dir>/acls.json and load at start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'streamline-acl-'))
  try {
    const first = await openAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false }, { dataDir: dir })
    assert.ok(first !== undefined)
    await first.acls.add([acl({ resourceName: 'orders.', patternType: PatternType.PREFIXED })])
    const stored = JSON.parse(await readFile(join(dir, 'acls.json'), 'utf8')) as {
      version: number
      acls: unknown[]
    }
    assert.equal(stored.version, 1)
    assert.equal(stored.acls.length, 1)
    const second = await openAuthorizer(
      { superUsers: [], allowEveryoneIfNoAclFound: false },
      { dataDir: dir },
    )
    assert.equal(second?.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'orders.eu'), true)
    assert.equal(await openAuthorizer(undefined, { dataDir: dir }), undefined)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('authorizeByResourceType (InitProducerId without a transactional id): some topic allowed and not denied', async () => {
  const byType = (authorizer: Authorizer, principal = 'User:alice') =>
    authorizer.authorizeByResourceType(principal, '10.0.0.1', Op.WRITE, Res.TOPIC)
  assert.equal(byType(await authorizerWith([])), false)
  assert.equal(byType(await authorizerWith([acl({ operation: Op.WRITE })])), true)
  assert.equal(byType(await authorizerWith([acl({ operation: Op.ALL })])), true)
  // Only the operation itself or ALL counts: READ does not imply WRITE, nor a GROUP ACL a topic.
  assert.equal(byType(await authorizerWith([acl({ operation: Op.READ })])), false)
  assert.equal(byType(await authorizerWith([acl({ resourceType: Res.GROUP, operation: Op.WRITE })])), false)
  // A literal deny of the same name, or a denied prefix covering it, cancels an allow.
  const denyLiteral = await authorizerWith([
    acl({ operation: Op.WRITE }),
    acl({ operation: Op.WRITE, permissionType: Perm.DENY }),
  ])
  assert.equal(byType(denyLiteral), false)
  const denyPrefix = await authorizerWith([
    acl({ resourceName: 'orders.eu', patternType: PatternType.PREFIXED, operation: Op.WRITE }),
    acl({
      resourceName: 'orders',
      patternType: PatternType.PREFIXED,
      operation: Op.WRITE,
      permissionType: Perm.DENY,
    }),
  ])
  assert.equal(byType(denyPrefix), false)
  const otherAllowed = await authorizerWith([
    acl({ resourceName: 'orders', operation: Op.WRITE, permissionType: Perm.DENY }),
    acl({ resourceName: 'payments', operation: Op.WRITE }),
  ])
  assert.equal(byType(otherAllowed), true)
  // A DENY on the literal "*" denies outright, even against an ALLOW on "*".
  const denyAll = await authorizerWith([
    acl({ resourceName: '*', operation: Op.WRITE }),
    acl({ resourceName: '*', principal: 'User:*', operation: Op.WRITE, permissionType: Perm.DENY }),
  ])
  assert.equal(byType(denyAll), false)
  // Hosts and principals must match; super users and allow.everyone.if.no.acl.found pass.
  assert.equal(byType(await authorizerWith([acl({ operation: Op.WRITE, host: '10.0.0.2' })])), false)
  assert.equal(byType(await authorizerWith([acl({ operation: Op.WRITE })]), 'User:bob'), false)
  assert.equal(byType(await authorizerWith([], { superUsers: ['User:alice'] })), true)
  assert.equal(byType(await authorizerWith([], { allowEveryoneIfNoAclFound: true })), true)
})
