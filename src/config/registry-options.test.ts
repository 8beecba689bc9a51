// Goal: the registry's listener and authentication switch reach the broker's start options from flags,
// environment and TOML in Confluent's terms (`listeners` http/https, `authentication.method`); a
// malformed listener, an https listener without the broker's certificate and an unknown method are
// refused before start, naming the field.
// Method: loadConfig with argv/env/file as the CLI passes them, then registryOptionsOf.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors.ts'
import { loadConfig } from './load.ts'
import { registryOptionsOf } from './registry-options.ts'

const optionsOf = (argv: string[], env: Record<string, string> = {}, file = '') =>
  registryOptionsOf(loadConfig({ argv, env, readFile: () => file }).config)

test('defaults, http and https listeners, the switch from flags, environment and TOML', () => {
  assert.deepEqual(optionsOf([]), { registryAddr: '127.0.0.1:8081', registryAuthentication: 'AUTO' })
  assert.deepEqual(optionsOf(['--no-registry']), { registryAddr: null, registryAuthentication: 'AUTO' })
  assert.deepEqual(optionsOf(['--registry-listeners', 'http://127.0.0.1:18081']), {
    registryAddr: '127.0.0.1:18081',
    registryAuthentication: 'AUTO',
  })
  const tls = [
    '--registry-listeners',
    'https://127.0.0.1:18081',
    '--security-ssl-cert-file',
    '/c.pem',
    '--security-ssl-key-file',
    '/k.pem',
  ]
  assert.deepEqual(optionsOf([...tls, '--registry-authentication-method', 'BASIC']), {
    registryAddr: '127.0.0.1:18081',
    registryTls: { certFile: '/c.pem', keyFile: '/k.pem' },
    registryAuthentication: 'BASIC',
  })
  assert.equal(
    optionsOf([], { STREAMLINE_REGISTRY_AUTHENTICATION_METHOD: 'NONE' }).registryAuthentication,
    'NONE',
  )
  assert.equal(
    optionsOf(['--config', 'x.toml'], {}, 'registry_listeners = "http://127.0.0.1:1"\n').registryAddr,
    '127.0.0.1:1',
  )
})

test('malformed listeners, https without a certificate and unknown methods are refused', () => {
  for (const listeners of ['127.0.0.1:8081', 'ftp://127.0.0.1:1', 'https://a:1,https://b:2', 'http://x'])
    assert.throws(() => optionsOf(['--registry-listeners', listeners]), ConfigError, listeners)
  assert.throws(
    () => optionsOf(['--registry-listeners', 'https://127.0.0.1:1']),
    (error: ConfigError) => error.key === 'security.ssl_cert_file',
  )
  assert.throws(() => optionsOf(['--registry-authentication-method', 'KERBEROS']))
})
