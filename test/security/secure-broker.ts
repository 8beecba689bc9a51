// Test fixtures for security tests: a throw-away PKI made with `openssl` at test time (CA, a server
// certificate for 127.0.0.1/localhost, a client certificate with subject O=Acme, CN=client-app),
// a users file, and the broker CLI started with three listeners: SASL_PLAINTEXT, SASL_SSL and SSL
// (ssl.client.auth=required on SSL). No private key is committed: everything lives in a temp dir.
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePorts } from '../helpers/free-port.ts'

const execFileAsync = promisify(execFile)

export interface Pki {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
}

export const users = {
  alice: 'alice-secret',
  bob: 'bob-secret',
} as const

async function openssl(dir: string, args: string[]): Promise<void> {
  await execFileAsync('openssl', args, { cwd: dir, timeout: 30_000 })
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** The openssl commands, one string each (no argument has a space except the CA subject). */
const pkiCommands: string[][] = [
  [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Streamline Test CA',
  ],
  ['req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'],
  'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext'.split(
    ' ',
  ),
  ['req', ...ecKey, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=Acme/CN=client-app'],
  'x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2'.split(' '),
]

/** CA, server and client certificates (EC P-256, valid two days) in a new temp dir. */
export async function makePki(): Promise<Pki> {
  const dir = await makeTempDir('streamline-pki-')
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  for (const command of pkiCommands) await openssl(dir, command)
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  }
}

export interface SecureBroker {
  broker: BrokerProcess
  pki: Pki
  saslPlaintext: string
  saslSsl: string
  ssl: string
  stop(): Promise<void>
}

/** The broker CLI with SASL_PLAINTEXT, SASL_SSL and SSL (client certificate required) listeners. */
export async function startSecureBroker(extraArgs: string[] = []): Promise<SecureBroker> {
  const pki = await makePki()
  const usersFile = join(pki.dir, 'users.yaml')
  await writeFile(
    usersFile,
    `users:\n  alice:\n    password: ${users.alice}\n  bob:\n    password: ${users.bob}\n    mechanisms: [SCRAM-SHA-256]\n`,
  )
  const [saslPlaintextPort, saslSslPort, sslPort] = await freePorts(3)
  const saslPlaintext = `127.0.0.1:${saslPlaintextPort}`
  const saslSsl = `127.0.0.1:${saslSslPort}`
  const ssl = `127.0.0.1:${sslPort}`
  const broker = await startBrokerProcess({
    args: [
      '--security-listeners',
      `SASL_PLAINTEXT://${saslPlaintext},SASL_SSL://${saslSsl},SSL://${ssl}`,
      '--security-ssl-cert-file',
      pki.serverCert,
      '--security-ssl-key-file',
      pki.serverKey,
      '--security-ssl-ca-file',
      pki.caCert,
      '--security-ssl-client-auth',
      'required',
      '--auth-users-file',
      usersFile,
      '--security-failed-authentication-delay-ms',
      '200',
      ...extraArgs,
    ],
  })
  return {
    broker,
    pki,
    saslPlaintext,
    saslSsl,
    ssl,
    async stop() {
      await broker.stop()
      await removeTempDir(pki.dir)
    },
  }
}
