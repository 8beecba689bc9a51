// Goal: the SCRAM server follows RFC 5802/7677 to the byte, and PLAIN (RFC 4616) checks passwords
// against salted SCRAM keys only. Method: RFC 7677's SCRAM-SHA-256 example conversation (user
// "user", password "pencil", its nonces and salt) replayed against ScramServer with the RFC's server
// nonce; the expected server-first and server-final messages are the RFC's text. SHA-512 has no RFC
// example: a client written here from the RFC's formulas logs in, and tampering fails.
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import { CredentialStore } from './credential-store.ts'
import { PlainServer } from './sasl.ts'
import {
  credentialFromPassword,
  credentialFromSaltedPassword,
  decodeSaslName,
  type ScramCredential,
  ScramServer,
  saltedPasswordOf,
} from './scram.ts'

const rfc7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}

async function rfcCredential(): Promise<ScramCredential> {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
  const salted = await saltedPasswordOf('SCRAM-SHA-256', 'pencil', salt, 4096)
  return credentialFromSaltedPassword('SCRAM-SHA-256', salt, 4096, salted)
}

function rfcServer(credential: ScramCredential | undefined): ScramServer {
  return new ScramServer({
    mechanism: 'SCRAM-SHA-256',
    lookup: (user) => (user === 'user' ? credential : undefined),
    serverNonce: rfc7677.serverNonce,
  })
}

describe('SCRAM-SHA-256, RFC 7677 section 3', () => {
  test('the example conversation gives the RFC server-first and server-final messages', async () => {
    const server = rfcServer(await rfcCredential())
    const first = await server.step(Buffer.from(rfc7677.clientFirst))
    assert.deepEqual(first, { kind: 'challenge', response: Buffer.from(rfc7677.serverFirst) })
    const final = await server.step(Buffer.from(rfc7677.clientFinal))
    assert.deepEqual(final, { kind: 'success', response: Buffer.from(rfc7677.serverFinal), user: 'user' })
  })

  test('a wrong proof, a changed nonce, channel binding and an unknown user fail', async () => {
    const credential = await rfcCredential()
    const badProof = rfc7677.clientFinal.replace('p=dHzb', 'p=dHzc')
    const badNonce = rfc7677.clientFinal.replace('$k0,', '$k1,')
    const badBinding = rfc7677.clientFinal.replace('c=biws', 'c=eSws')
    const cases: Array<[ScramCredential | undefined, string, string]> = [
      [credential, badProof, 'invalid credentials'],
      [credential, badNonce, 'SCRAM nonce does not match'],
      [credential, badBinding, 'SCRAM channel binding does not match'],
      [undefined, rfc7677.clientFinal, 'invalid credentials'],
    ]
    for (const [stored, clientFinal, reason] of cases) {
      const server = rfcServer(stored)
      const first = await server.step(Buffer.from(rfc7677.clientFirst))
      assert.equal(first.kind, 'challenge')
      assert.deepEqual(await server.step(Buffer.from(clientFinal)), { kind: 'failure', reason })
    }
  })

  test('an unknown user gets a challenge like a known one (no user enumeration)', async () => {
    const server = rfcServer(undefined)
    const first = await server.step(Buffer.from(rfc7677.clientFirst))
    assert.equal(first.kind, 'challenge')
    assert.match(
      first.kind === 'challenge' ? first.response.toString() : '',
      /^r=rOprNGfwEbeRWgbNEkqO%hvYD.*,s=[A-Za-z0-9+/=]{44},i=4096$/,
    )
  })

  test('channel binding (p=) and a malformed first message are refused', async () => {
    for (const message of ['p=tls-unique,,n=user,r=abc', 'n,,r=abc', 'n,,n=us=er,r=abc', 'garbage']) {
      const result = await rfcServer(undefined).step(Buffer.from(message))
      assert.equal(result.kind, 'failure', message)
    }
  })

  test('saslname decoding', () => {
    assert.equal(decodeSaslName('a=2Cb=3Dc'), 'a,b=c')
    assert.equal(decodeSaslName('a=b'), null)
  })
})

/** A SCRAM client from RFC 5802's formulas, for SHA-512 (no RFC example exists). */
function clientProof(digest: 'sha512', password: Buffer, authMessage: string): string {
  const clientKey = createHmac(digest, password).update('Client Key').digest()
  const storedKey = createHash(digest).update(clientKey).digest()
  const signature = createHmac(digest, storedKey).update(authMessage).digest()
  return Buffer.from(clientKey.map((byte, index) => byte ^ signature[index])).toString('base64')
}

describe('SCRAM-SHA-512', () => {
  test('a client computing the proof from the password logs in and checks the server signature', async () => {
    const credential = await credentialFromPassword('SCRAM-SHA-512', 'secret-512', 4096)
    assert.equal(credential.storedKey.length, 64)
    const server = new ScramServer({ mechanism: 'SCRAM-SHA-512', lookup: () => credential })
    const clientFirstBare = 'n=alice,r=clientnonce'
    const first = await server.step(Buffer.from(`n,,${clientFirstBare}`))
    assert.equal(first.kind, 'challenge')
    const serverFirst = first.kind === 'challenge' ? first.response.toString() : ''
    const nonce = /^r=([^,]+),/.exec(serverFirst)?.[1] ?? ''
    assert.ok(nonce.startsWith('clientnonce') && nonce.length > 'clientnonce'.length)
    const salted = await saltedPasswordOf('SCRAM-SHA-512', 'secret-512', credential.salt, 4096)
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
    const final = await server.step(
      Buffer.from(`${withoutProof},p=${clientProof('sha512', salted, authMessage)}`),
    )
    const serverKey = createHmac('sha512', salted).update('Server Key').digest()
    const expected = `v=${createHmac('sha512', serverKey).update(authMessage).digest('base64')}`
    assert.deepEqual(final, { kind: 'success', response: Buffer.from(expected), user: 'alice' })
  })
})

describe('PLAIN (RFC 4616) against salted credentials', () => {
  test('right password, wrong password, foreign authzid, malformed message', async () => {
    const store = new CredentialStore({
      bootstrap: [{ user: 'alice', credential: await credentialFromPassword('SCRAM-SHA-256', 'pw') }],
    })
    const step = (text: string) => new PlainServer(store).step(Buffer.from(text))
    assert.deepEqual(await step('\0alice\0pw'), { kind: 'success', response: Buffer.alloc(0), user: 'alice' })
    assert.deepEqual(await step('alice\0alice\0pw'), {
      kind: 'success',
      response: Buffer.alloc(0),
      user: 'alice',
    })
    assert.deepEqual(await step('\0alice\0nope'), { kind: 'failure', reason: 'invalid credentials' })
    assert.deepEqual(await step('\0bob\0pw'), { kind: 'failure', reason: 'invalid credentials' })
    assert.deepEqual(await step('bob\0alice\0pw'), {
      kind: 'failure',
      reason: 'authorization id differs from the user name',
    })
    assert.deepEqual(await step('alice pw'), { kind: 'failure', reason: 'invalid PLAIN message' })
  })
})
