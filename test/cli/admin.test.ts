// Goal: `users`, `acls`, `info` and `doctor` against real brokers, exact output: SCRAM users added
// live can log in (and removed ones cannot), --users-file edits the broker's YAML file, ACLs round-trip
// on a broker with the authorizer, info and doctor report the cluster.
// Method: the SASL broker of test/security/secure-broker.ts with --security-authorizer and alice as
// super user; the CLI as a child process, logging in as alice and then as the new user.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type SecureBroker, startSecureBroker, users } from '../security/secure-broker.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

describe('streamline-cli users, acls, info, doctor', () => {
  let secure: SecureBroker
  let cli: CliHarness
  const as = (user: string, password: string, args: string[]) =>
    cli.run([
      '-b',
      secure.saslPlaintext,
      '--sasl-mechanism',
      'SCRAM-SHA-512',
      '--sasl-username',
      user,
      '--sasl-password',
      password,
      ...args,
    ])
  const admin = (args: string[]) => as('alice', users.alice, args)

  before(async () => {
    ;[secure, cli] = await Promise.all([
      startSecureBroker(['--security-authorizer', '--security-super-users', 'User:alice']),
      startCliHarness(),
    ])
  })
  after(async () => {
    await Promise.all([secure?.stop(), cli?.close()])
  })

  it('users: add a SCRAM user live, log in as it, remove it', async () => {
    assert.equal(
      (await admin(['users', 'add', 'carol', '--password', 'carol-pw', '--iterations', '8192'])).stdout,
      'added SCRAM-SHA-512 credential for carol\n',
    )
    const listed = await admin(['users', 'list'])
    assert.equal(
      listed.stdout,
      'USER   MECHANISMS\nalice  SCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)\nbob    SCRAM-SHA-256 (4096 iterations)\ncarol  SCRAM-SHA-512 (8192 iterations)\n',
    )
    assert.equal((await as('carol', 'carol-pw', ['info'])).code, 0)
    assert.equal((await admin(['users', 'remove', 'carol'])).stdout, 'removed user carol\n')
    const refused = await as('carol', 'carol-pw', ['info'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^error: SASL_AUTHENTICATION_FAILED: /)
    const missing = await admin(['users', 'remove', 'nobody'])
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, "error: RESOURCE_NOT_FOUND: user 'nobody' has no SCRAM credential\n"],
    )
  })

  it('users --users-file edits the YAML file offline', async () => {
    const file = join(cli.home, 'users.yaml')
    assert.equal((await cli.run(['users', 'add', 'dave', '--password', 'pw', '--users-file', file])).code, 0)
    assert.equal(
      await readFile(file, 'utf8'),
      'users:\n  dave:\n    password: pw\n    mechanisms:\n      - SCRAM-SHA-512\n    iterations: 4096\n',
    )
    assert.equal(
      (await cli.run(['users', 'list', '--users-file', file])).stdout,
      'USER  MECHANISMS\ndave  SCRAM-SHA-512 (4096 iterations)\n',
    )
    assert.equal((await cli.run(['users', 'remove', 'dave', '--users-file', file])).code, 0)
    assert.equal(await readFile(file, 'utf8'), 'users: {}\n')
  })

  it('acls: add, list, and remove with filters; bob is allowed then denied', async () => {
    const added = await admin([
      'acls',
      'add',
      '--resource-type',
      'topic',
      '--resource-name',
      'orders.',
      '--pattern-type',
      'prefixed',
      '--principal',
      'User:bob',
      '--operation',
      'describe',
    ])
    assert.equal(
      added.stdout,
      'RESOURCE-TYPE  RESOURCE-NAME  PATTERN-TYPE  PRINCIPAL  HOST  OPERATION  PERMISSION\nTOPIC          orders.        PREFIXED      User:bob   *     DESCRIBE   ALLOW\n',
    )
    await admin([
      'acls',
      'add',
      '--resource-type',
      'cluster',
      '--principal',
      'User:bob',
      '--operation',
      'alter',
      '--permission',
      'deny',
    ])
    const listed = JSON.parse(
      (await admin(['acls', 'list', '--principal', 'User:bob', '--format', 'json'])).stdout,
    ) as { acls: unknown[] }
    assert.deepEqual(
      listed.acls,
      [
        {
          resourceType: 'TOPIC',
          resourceName: 'orders.',
          patternType: 'PREFIXED',
          principal: 'User:bob',
          host: '*',
          operation: 'DESCRIBE',
          permission: 'ALLOW',
        },
        {
          resourceType: 'CLUSTER',
          resourceName: 'kafka-cluster',
          patternType: 'LITERAL',
          principal: 'User:bob',
          host: '*',
          operation: 'ALTER',
          permission: 'DENY',
        },
      ].sort((a, b) => (b.resourceType === 'TOPIC' ? 1 : 0) - (a.resourceType === 'TOPIC' ? 1 : 0)),
    )
    const bobDenied = await cli.run([
      '-b',
      secure.saslPlaintext,
      '--sasl-mechanism',
      'SCRAM-SHA-256',
      '--sasl-username',
      'bob',
      '--sasl-password',
      users.bob,
      'acls',
      'list',
    ])
    assert.equal(bobDenied.code, 1)
    assert.match(bobDenied.stderr, /^error: CLUSTER_AUTHORIZATION_FAILED: /)
    const removed = await admin(['acls', 'remove', '--principal', 'User:bob', '--format', 'json'])
    assert.equal((JSON.parse(removed.stdout) as { deleted: unknown[] }).deleted.length, 2)
    assert.equal(
      (await admin(['acls', 'list'])).stdout,
      'RESOURCE-TYPE  RESOURCE-NAME  PATTERN-TYPE  PRINCIPAL  HOST  OPERATION  PERMISSION\n',
    )
    const bad = await admin([
      'acls',
      'add',
      '--resource-type',
      'table',
      '--resource-name',
      'x',
      '--principal',
      'User:x',
      '--operation',
      'read',
    ])
    assert.deepEqual(
      [bad.code, bad.stderr],
      [
        2,
        "error: --resource-type: 'table' is not one of topic, group, cluster, transactional_id, delegation_token, user\n",
      ],
    )
  })

  it('info and doctor', async () => {
    const info = JSON.parse((await admin(['info', '--format', 'json'])).stdout) as {
      brokers: unknown[]
      topics: number
      clusterId: string
    }
    assert.equal(info.brokers.length, 1)
    assert.equal(info.topics, 0)
    assert.match(info.clusterId, /^\S{22}$/)
    const doctor = await admin(['doctor', '--http', 'http://127.0.0.1:1', '--data-dir', cli.home])
    assert.equal(doctor.code, 0, doctor.stdout)
    const lines = doctor.stdout.split('\n')
    assert.match(
      lines[0],
      new RegExp(
        `^PASS  connectivity: cluster ${info.clusterId}, 1 broker\\(s\\) at ${secure.saslPlaintext}$`,
      ),
    )
    assert.equal(lines[1], 'PASS  authentication: SCRAM-SHA-512 as alice')
    assert.match(lines[2], /^PASS {2}api versions: \d+ Kafka APIs served$/)
    assert.equal(lines[3], 'WARN  http api: no answer from http://127.0.0.1:1')
    assert.equal(lines[5], `PASS  data dir permissions: ${cli.home} (--data-dir) is readable and writable`)
    const failing = await as('alice', 'wrong', ['doctor'])
    assert.equal(failing.code, 1)
    assert.match(
      failing.stdout,
      /^FAIL {2}authentication: SASL_AUTHENTICATION_FAILED: .*\n {6}fix: check --sasl-mechanism, --sasl-username and --sasl-password\nPASS {2}config: no config file, data dir \.\/data\n/,
    )
  })
})
