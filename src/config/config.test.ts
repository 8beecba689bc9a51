// Goal: the typed configuration resolves exactly as documented: defaults < TOML file < STREAMLINE_*
// environment < flags; Kafka's names in the file map to the typed fields (with unit conversion);
// every invalid value, unknown key, unknown flag and unknown variable is refused with a message naming
// the key, the value, its source and what is allowed; --generate-config parses back to the defaults;
// --help lists every flag.
// Method: loadConfig with an in-memory argv, env and file reader (no process, no disk); assert the
// exact resolved values and the exact error messages.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError } from '../errors.ts'
import { groupOptionsOf, topicDefaultsOf } from './broker-options.ts'
import { generateConfigToml, helpText } from './generate.ts'
import { loadConfig, resolveConfig } from './load.ts'
import { optionLeaves } from './options.ts'
import { defaultConfig } from './schema.ts'
import { securityOf } from './security-options.ts'
import { fromToml } from './sources.ts'

function load(argv: string[], env: Record<string, string> = {}, file = '') {
  return loadConfig({ argv, env, readFile: () => file }).config
}

function loadError(argv: string[], env: Record<string, string> = {}, file = ''): string {
  try {
    load(argv, env, file)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected a ConfigError')
}

describe('config precedence', () => {
  test('defaults when nothing is given', () => {
    const config = load([])
    assert.deepEqual(config, defaultConfig)
    assert.equal(config.listenAddr, '127.0.0.1:9092')
    assert.equal(config.httpAddr, '127.0.0.1:9094')
    assert.equal(config.dataDir, './data')
    assert.equal(config.topics.numPartitions, 1)
  })

  test('file < env < flags, each key independently', () => {
    const file = 'node_id = 1\nlog_level = "debug"\n[topics]\nnum_partitions = 2\nretention_ms = 1000\n'
    const env = { STREAMLINE_NODE_ID: '2', STREAMLINE_TOPICS_NUM_PARTITIONS: '3' }
    const config = load(['-c', 'streamline.toml', '--node-id', '4'], env, file)
    assert.equal(config.nodeId, 4) // flag beats env and file
    assert.equal(config.topics.numPartitions, 3) // env beats file
    assert.equal(config.topics.retentionMs, 1000) // file beats default
    assert.equal(config.logLevel, 'debug')
    assert.equal(config.listenAddr, '127.0.0.1:9092') // default
  })

  test('STREAMLINE_CONFIG names the file; booleans by flag, --no-flag and =value', () => {
    const config = load(
      ['--in-memory', '--no-http', '--auto-create-topics=false'],
      {
        STREAMLINE_CONFIG: 'x.toml',
      },
      'playground = true',
    )
    assert.equal(config.playground, true)
    assert.equal(config.inMemory, true)
    assert.equal(config.httpEnabled, false)
    assert.equal(config.topics.autoCreate, false)
  })

  test("Kafka's log.dirs list: the first is the data dir, the others more log dirs", () => {
    const config = load(['-c', 'server.toml'], {}, 'log.dirs = "/srv/a, /srv/b,/srv/c"')
    assert.equal(config.dataDir, '/srv/a')
    assert.equal(config.logDirs, '/srv/b,/srv/c')
    assert.equal(load(['--log-dirs', '/x,/y'], {}).logDirs, '/x,/y')
  })

  test("Kafka's names in the file, with units converted", () => {
    const file = [
      'auto.create.topics.enable = false',
      '"num.partitions" = 6',
      'log.retention.hours = 2',
      'log.roll.ms = 60000',
      'socket.request.max.bytes = 1048576',
      'log.dirs = "/var/lib/streamline"',
      'log.flush.interval.ms = "1000"',
      'broker.id = 7',
      'group.initial.rebalance.delay.ms = 0',
      'group.consumer.session.timeout.ms = 10000',
    ].join('\n')
    const config = load(['-c', 'server.toml'], {}, file)
    assert.equal(config.topics.autoCreate, false)
    assert.equal(config.topics.numPartitions, 6)
    assert.equal(config.topics.retentionMs, 7_200_000)
    assert.equal(config.topics.segmentMs, 60_000)
    assert.equal(config.limits.requestBytesMax, 1_048_576)
    assert.equal(config.dataDir, '/var/lib/streamline')
    assert.equal(config.flush.intervalMs, 1000)
    assert.equal(config.nodeId, 7)
    assert.deepEqual(groupOptionsOf(config), {
      classic: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 6_000, maxSessionTimeoutMs: 1_800_000 },
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 5_000, migrationPolicy: 'bidirectional' },
    })
    assert.deepEqual(topicDefaultsOf(config), {
      'retention.ms': '7200000',
      'segment.ms': '60000',
      'flush.ms': '1000',
    })
  })
})

describe('config errors', () => {
  test('an invalid flag value names key, value, source and what is allowed', () => {
    assert.equal(
      loadError(['--num-partitions', '0']),
      'topics.num_partitions: 0 (flag --num-partitions) is not allowed: expected an integer from 1 to 2147483647',
    )
    assert.equal(
      loadError(['--log-level', 'loud']),
      'log_level: "loud" (flag --log-level) is not allowed: expected one of trace, debug, info, warn, error, fatal, silent',
    )
    assert.equal(
      loadError(['--listen-addr', 'localhost']),
      'listen_addr: "localhost" (flag --listen-addr) is not allowed: expected host:port',
    )
  })

  test('invalid env and file values say where they came from', () => {
    assert.equal(
      loadError([], { STREAMLINE_IN_MEMORY: 'yes' }),
      'in_memory: "yes" (env STREAMLINE_IN_MEMORY) is not allowed: expected true or false',
    )
    assert.equal(
      loadError(['-c', 'a.toml'], {}, '[topics]\ncleanup_policy = "shred"'),
      'topics.cleanup_policy: "shred" (a.toml: topics.cleanup_policy) is not allowed: expected one of delete, compact, compact,delete',
    )
    assert.equal(
      loadError(['-c', 'a.toml'], {}, 'log.retention.hours = "soon"'),
      'topics.retention_ms: "soon" (a.toml: log.retention.hours) is not allowed: expected an integer from -1 to 9007199254740991',
    )
  })

  test('unknown keys, flags and variables are refused', () => {
    assert.equal(
      loadError(['-c', 'a.toml'], {}, '[topics]\npartitions = 3'),
      'topics.partitions: unknown key in a.toml; streamline --generate-config lists every key',
    )
    assert.equal(
      loadError(['-c', 'a.toml'], {}, 'log.cleaner.enable = true'),
      'log.cleaner.enable: unknown key in a.toml; streamline --generate-config lists every key',
    )
    assert.equal(
      loadError(['--partitions', '3']),
      '--partitions: unknown flag; streamline --help lists every flag',
    )
    assert.equal(
      loadError([], { STREAMLINE_PARTITIONS: '3' }),
      'STREAMLINE_PARTITIONS: unknown environment variable; streamline --help lists every option',
    )
    assert.equal(loadError(['--data-dir']), '--data-dir: needs a value')
    assert.equal(loadError(['-c', 'a.toml'], {}, 'x = = 1').startsWith('a.toml: not valid TOML: '), true)
  })
})

describe('security options', () => {
  test('security options: listeners parse, and a listener needing a file or mechanism names its key', () => {
    assert.equal(
      loadError(['--security-listeners', 'PLAINTEXT:/127.0.0.1:1']),
      'security.listeners: "PLAINTEXT:/127.0.0.1:1" (flag --security-listeners) is not allowed: "PLAINTEXT:/127.0.0.1:1" is not NAME://host:port',
    )
    assert.equal(
      loadError(['--security-listeners', 'SASL_SSL://127.0.0.1:1']),
      'security.ssl_cert_file: an SSL or SASL_SSL listener needs ssl_cert_file and ssl_key_file',
    )
    assert.equal(
      loadError(['--security-listeners', 'EXTERNAL://127.0.0.1:1']),
      'security.listener_security_protocol_map: listener EXTERNAL has no security protocol',
    )
    assert.equal(
      loadError(['--security-sasl-enabled-mechanisms', 'GSSAPI']),
      'security.sasl_enabled_mechanisms: "GSSAPI" (flag --security-sasl-enabled-mechanisms) is not allowed: GSSAPI is not PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER',
    )
    const config = resolveConfig(
      fromToml(
        [
          'listeners = "INTERNAL://127.0.0.1:9092,EXTERNAL://:9093"',
          'listener.security.protocol.map = "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT"',
          'sasl.enabled.mechanisms = "SCRAM-SHA-512"',
        ].join('\n'),
        'security.toml',
      ),
    )
    assert.equal(config.security.listeners, 'INTERNAL://127.0.0.1:9092,EXTERNAL://:9093')
    assert.equal(config.security.saslEnabledMechanisms, 'SCRAM-SHA-512')
    assert.equal(config.listenAddr, '127.0.0.1:9092')
  })
})

describe('OAUTHBEARER and re-authentication options', () => {
  test("OAUTHBEARER needs a JWKS; Kafka's sasl.oauthbearer.* and connections.max.reauth.ms names map", () => {
    assert.equal(
      loadError(['--security-sasl-enabled-mechanisms', 'PLAIN,OAUTHBEARER']),
      'security.sasl_oauthbearer_jwks_endpoint_url: OAUTHBEARER needs a JWKS (URL or file) to check tokens against',
    )
    assert.equal(
      loadError(['--security-sasl-oauthbearer-allowed-algorithms', 'RS256,none']),
      'security.sasl_oauthbearer_allowed_algorithms: "RS256,none" (flag --security-sasl-oauthbearer-allowed-algorithms) is not allowed: none is not a JWS algorithm (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512, EdDSA, Ed25519)',
    )
    const config = resolveConfig(
      fromToml(
        [
          'sasl.enabled.mechanisms = "OAUTHBEARER"',
          'sasl.oauthbearer.jwks.endpoint.url = "https://idp.example.com/jwks"',
          'sasl.oauthbearer.expected.issuer = "https://idp.example.com"',
          'sasl.oauthbearer.expected.audience = "kafka, streamline"',
          'sasl.oauthbearer.sub.claim.name = "client_id"',
          'sasl.oauthbearer.clock.skew.seconds = 5',
          'connections.max.reauth.ms = 3600000',
        ].join('\n'),
        'security.toml',
      ),
    )
    assert.deepEqual(securityOf(config).options.oauthBearer, {
      jwksEndpointUrl: 'https://idp.example.com/jwks',
      jwksEndpointRefreshMs: 3_600_000,
      expectedIssuer: 'https://idp.example.com',
      expectedAudiences: ['kafka', 'streamline'],
      subClaimName: 'client_id',
      clockSkewSeconds: 5,
      allowedAlgorithms: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
      ],
    })
    assert.equal(securityOf(config).options.connectionsMaxReauthMs, 3_600_000)
    assert.equal(securityOf(config).options.saslHandshakeTimeoutMs, 10_000)
  })
})

describe('generated text', () => {
  test('--generate-config parses back to exactly the defaults', () => {
    const toml = generateConfigToml('0.0.0')
    assert.deepEqual(resolveConfig(fromToml(toml, 'generated.toml')), defaultConfig)
    for (const leaf of optionLeaves) assert.ok(toml.includes(`# ${leaf.doc}`), `${leaf.tomlKey} documented`)
  })

  test('--help lists every flag', () => {
    const help = helpText('0.0.0')
    for (const leaf of optionLeaves) {
      const shown =
        leaf.kind === 'boolean' && leaf.defaultValue === true ? `--no-${leaf.flag}` : `--${leaf.flag}`
      assert.ok(help.includes(`  ${shown}`), `${shown} in --help`)
    }
    for (const flag of ['--config', '--generate-config', '--help', '--version'])
      assert.ok(help.includes(flag))
  })
})
