// Goal: `migrate from-kafka` reaches a secured source cluster — SASL_SSL (SCRAM over TLS with a CA)
// through the --kafka-* options and an mTLS listener through a saved profile (--kafka-profile) — while
// the global options keep describing the target; a wrong source password and half-given SASL options
// are refused with Kafka's error / a usage error naming the --kafka-* options.
// Method: the three-listener broker of test/security/secure-broker.ts as source (data written with
// kafkajs over SASL_SSL), a plain broker process as target, the CLI as a child process; the copy is
// checked with the CLI's own consume (exact output).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type SecureBroker, startSecureBroker, users } from '../security/secure-broker.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

describe('streamline-cli migrate from-kafka from a secured source', () => {
  let source: SecureBroker
  let target: BrokerProcess
  let cli: CliHarness

  before(async () => {
    source = await startSecureBroker()
    target = await startBrokerProcess()
    cli = await startCliHarness()
    const kafka = new Kafka({
      clientId: 'cli-migrate-secure-test',
      brokers: [source.saslSsl],
      ssl: { ca: [readFileSync(source.pki.caCert)] },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: users.alice },
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'payments',
      messages: [
        { key: 'k1', value: 'v1', timestamp: '1600000000000' },
        { key: 'k2', value: 'v2', timestamp: '1600000000001' },
      ],
    })
    await producer.disconnect()
  })
  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), cli?.close()])
  })

  const migrate = (extra: string[], env: Record<string, string> = {}) =>
    cli.run(['-b', target.bootstrap, 'migrate', 'from-kafka', '--topics', 'payments', ...extra], { env })

  it('copies from SASL_SSL with --kafka-sasl-* and --kafka-tls-ca (password from the environment)', async () => {
    const result = await migrate(
      [
        '--kafka-servers',
        source.saslSsl,
        '--kafka-sasl-mechanism',
        'SCRAM-SHA-512',
        '--kafka-sasl-username',
        'alice',
        '--kafka-tls-ca',
        source.pki.caCert,
        '--execute',
      ],
      { STREAMLINE_KAFKA_SASL_PASSWORD: users.alice },
    )
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^payments +1 +2 +0 +created +-$/m)
    const copied = await cli.run([
      '-b',
      target.bootstrap,
      'consume',
      'payments',
      '--show-keys',
      '--show-offsets',
    ])
    assert.equal(copied.stdout, '0:0\tk1\tv1\n0:1\tk2\tv2\n')
  })

  it('plans from an mTLS listener through --kafka-profile', async () => {
    // The first saved profile becomes the current one (the target's): save a plain one first.
    assert.equal((await cli.run(['profile', 'add', 'local', '-b', target.bootstrap])).code, 0)
    const saved = await cli.run([
      'profile',
      'add',
      'secured-source',
      '-b',
      source.ssl,
      '--tls-ca',
      source.pki.caCert,
      '--tls-cert',
      source.pki.clientCert,
      '--tls-key',
      source.pki.clientKey,
    ])
    assert.equal(saved.code, 0, saved.stderr)
    const plan = await migrate(['--kafka-profile', 'secured-source'])
    assert.equal(plan.code, 0, plan.stderr)
    // Progress is kept per source address: through this listener nothing is recorded as copied yet.
    assert.match(plan.stdout, /^payments +1 +2 +2 +exists +-$/m)
    assert.match(plan.stdout, /^plan only: nothing changed/m)
  })

  it('a wrong source password is SASL_AUTHENTICATION_FAILED; half the SASL options a usage error', async () => {
    const refused = await migrate([
      '--kafka-servers',
      source.saslPlaintext,
      '--kafka-sasl-mechanism',
      'SCRAM-SHA-512',
      '--kafka-sasl-username',
      'alice',
      '--kafka-sasl-password',
      'wrong',
    ])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^error: SASL_AUTHENTICATION_FAILED: /)
    const half = await migrate(['--kafka-servers', source.saslPlaintext, '--kafka-sasl-username', 'alice'])
    assert.deepEqual(
      [half.code, half.stderr],
      [
        2,
        'error: SASL needs --kafka-sasl-mechanism, --kafka-sasl-username and --kafka-sasl-password together\n',
      ],
    )
    const none = await migrate([])
    assert.deepEqual(
      [none.code, none.stderr],
      [2, 'error: migrate from-kafka needs --kafka-servers <host:port> (or a --kafka-profile with one)\n'],
    )
  })
})
