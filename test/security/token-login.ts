// Logging in with a delegation token, as Kafka's Java client does (ScramLoginModule with
// `tokenauth="true"`): SCRAM with the token id as the user, base64(HMAC) as the password, and the
// extension `tokenauth=true` after the nonce of the client-first message.
// - kafkaTokenSasl: kafkajs's own SCRAM implementation (its SCRAM class) with only the
//   client-first message extended; no Node client has a token login option of its own.
// - scramLogin: the same exchange over a raw CodecClient connection, for the admin APIs that a
//   token-authenticated session must be refused.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type { SASLOptions } from 'kafkajs'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import type { CodecClient } from '../helpers/kafka-codec-client.ts'

interface KafkajsScram {
  firstMessageBare(): string
  authenticate(): Promise<void>
}
type KafkajsScramClass = new (
  sasl: { username: string; password: string },
  host: string,
  port: number,
  logger: unknown,
  saslAuthenticate: unknown,
  digest: unknown,
) => KafkajsScram

const require = createRequire(import.meta.url)
const { SCRAM, DIGESTS } = require('kafkajs/src/broker/saslAuthenticator/scram.js') as {
  SCRAM: KafkajsScramClass
  DIGESTS: { SHA256: unknown; SHA512: unknown }
}

/** kafkajs `sasl` options that log in with a token through kafkajs's SCRAM client. */
export function kafkaTokenSasl(
  mechanism: 'scram-sha-256' | 'scram-sha-512',
  tokenId: string,
  hmac: Buffer,
): SASLOptions {
  const credentials = { username: tokenId, password: hmac.toString('base64') }
  const digest = mechanism === 'scram-sha-256' ? DIGESTS.SHA256 : DIGESTS.SHA512
  const options = {
    mechanism,
    authenticationProvider: ({
      host,
      port,
      logger,
      saslAuthenticate,
    }: {
      host: string
      port: number
      logger: unknown
      saslAuthenticate: unknown
    }) => {
      const scram = new SCRAM(credentials, host, port, logger, saslAuthenticate, digest)
      const bare = scram.firstMessageBare.bind(scram)
      scram.firstMessageBare = () => `${bare()},tokenauth=true`
      return { authenticate: () => scram.authenticate() }
    },
  }
  return options as unknown as SASLOptions
}

/** A SCRAM-SHA-256 login over a raw connection; `extensions` are appended to the client-first
 * message. Resolves with SaslAuthenticate's error code and session lifetime. */
export async function scramLogin(
  client: CodecClient,
  user: string,
  password: string,
  extensions = '',
): Promise<{ errorCode: number; sessionLifetimeMs: bigint }> {
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' })
  const nonce = randomBytes(18).toString('base64')
  const clientFirstBare = `n=${user},r=${nonce}${extensions}`
  const first = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from(`n,,${clientFirstBare}`),
  })
  if (first.errorCode !== 0) return { errorCode: first.errorCode, sessionLifetimeMs: 0n }
  const serverFirst = first.authBytes.toString('utf8')
  const fields = new Map(serverFirst.split(',').map((part) => [part[0], part.slice(2)]))
  const salted = pbkdf2Sync(
    password,
    Buffer.from(fields.get('s') ?? '', 'base64'),
    Number(fields.get('i')),
    32,
    'sha256',
  )
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${fields.get('r')}`
  const signature = createHmac('sha256', storedKey)
    .update(`${clientFirstBare},${serverFirst},${withoutProof}`)
    .digest()
  const proof = Buffer.from(clientKey.map((byte, index) => byte ^ signature[index]))
  const final = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`),
  })
  return { errorCode: final.errorCode, sessionLifetimeMs: final.sessionLifetimeMs }
}
