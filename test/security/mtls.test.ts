// Goal: mTLS on an SSL listener with ssl.client.auth=required: a client whose certificate the CA
// signed is served and its principal is the certificate subject (User:CN=client-app,O=Acme, RFC 2253
// order, the DEFAULT mapping rule); a client without a certificate is refused in the TLS handshake.
// Method: the broker CLI at debug log level (secure-broker.ts: certificates made by openssl at test
// time); kcat reads metadata through the SSL listener with and without a client certificate; the
// principal is read from the broker's "TLS client authenticated" log line.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { requireClient } from '../helpers/clients.ts'
import { type SecureBroker, startSecureBroker } from './secure-broker.ts'

const execFileAsync = promisify(execFile)
const skip = requireClient('kcat')

describe('mTLS with kcat', { skip }, () => {
  let secure: SecureBroker
  before(async () => {
    secure = await startSecureBroker(['--log-level', 'debug'])
  })
  after(async () => {
    await secure?.stop()
  })

  const tlsSettings = (): string[] => [
    '-X',
    'security.protocol=SSL',
    '-X',
    `ssl.ca.location=${secure.pki.caCert}`,
  ]

  test('a certificate signed by the CA: metadata is served, the principal is the subject', async () => {
    const { stdout } = await execFileAsync(
      'kcat',
      [
        '-b',
        secure.ssl,
        ...tlsSettings(),
        '-X',
        `ssl.certificate.location=${secure.pki.clientCert}`,
        '-X',
        `ssl.key.location=${secure.pki.clientKey}`,
        '-L',
        '-J',
        '-m',
        '10',
      ],
      { timeout: 30_000 },
    )
    const metadata = JSON.parse(stdout) as { brokers: Array<{ id: number; name: string }> }
    assert.deepEqual(metadata.brokers, [{ id: 0, name: secure.ssl }])
    const principals = secure.broker
      .output()
      .split('\n')
      .filter((line) => line.includes('"TLS client authenticated"'))
      .map((line) => JSON.parse(line) as { principal: string; listener: string })
    assert.ok(principals.length > 0, 'no TLS client authenticated line')
    for (const entry of principals) assert.deepEqual(entry.principal, 'User:CN=client-app,O=Acme')
    assert.equal(principals[0].listener, 'SSL')
  })

  test('no client certificate: the TLS handshake is refused', async () => {
    const failure = await execFileAsync('kcat', ['-b', secure.ssl, ...tlsSettings(), '-L', '-m', '3'], {
      timeout: 30_000,
    }).then(
      () => null,
      (error: unknown) => error as { stderr: string },
    )
    assert.ok(failure !== null, 'kcat -L succeeded without a client certificate')
    assert.match(failure.stderr, /certificate required/)
  })
})
