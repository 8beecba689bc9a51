// Goal: Kafka's listener settings parse as Kafka reads them, and certificate subjects map to
// principals as `ssl.principal.mapping.rules` does. Method: exact parse results and error messages
// for valid and invalid strings; DNs built from node:tls-shaped subject objects.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ListenerConfigError, parseListeners } from './listeners.ts'
import { distinguishedNameOf, mapDistinguishedName, parseMappingRules } from './principal.ts'

describe('listeners', () => {
  test('names, protocols from the map, advertised addresses, empty host = every interface', () => {
    assert.deepEqual(
      parseListeners({
        listeners: 'INTERNAL://127.0.0.1:9092, EXTERNAL://:9093,SSL://[::1]:9094',
        advertisedListeners: 'EXTERNAL://kafka.example.com:19093',
        listenerSecurityProtocolMap: 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL',
      }),
      [
        { name: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
        {
          name: 'EXTERNAL',
          securityProtocol: 'SASL_SSL',
          host: '0.0.0.0',
          port: 9093,
          advertised: { host: 'kafka.example.com', port: 19093 },
        },
        { name: 'SSL', securityProtocol: 'SSL', host: '::1', port: 9094 },
      ],
    )
  })

  test('errors name the option', () => {
    const cases: Array<[Parameters<typeof parseListeners>[0], string, string]> = [
      [{ listeners: 'PLAINTEXT://a:1,PLAINTEXT://b:2' }, 'listeners', 'listener PLAINTEXT is listed twice'],
      [{ listeners: 'PLAINTEXT://a:1,SSL://b:1' }, 'listeners', 'port 1 is used by two listeners'],
      [{ listeners: 'X://a:1' }, 'listener_security_protocol_map', 'listener X has no security protocol'],
      [
        { listeners: 'PLAINTEXT://a:1', advertisedListeners: 'OTHER://b:2' },
        'advertised_listeners',
        'OTHER is not in listeners',
      ],
      [
        { listeners: 'X://a:1', listenerSecurityProtocolMap: 'X:TLS' },
        'listener_security_protocol_map',
        '"X:TLS" is not NAME:PROTOCOL with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL',
      ],
    ]
    for (const [options, option, message] of cases) {
      assert.throws(
        () => parseListeners(options),
        (error: unknown) =>
          error instanceof ListenerConfigError && error.option === option && error.message === message,
      )
    }
  })
})

describe('principal mapping', () => {
  test('subjects become RFC 2253 names, most specific first, with escaping', () => {
    assert.equal(
      distinguishedNameOf({ C: 'US', O: 'Acme, Inc', CN: 'client-app' }),
      'CN=client-app,O=Acme\\, Inc,C=US',
    )
  })

  test('DEFAULT keeps the name; RULE rewrites it, with L/U case changes', () => {
    const rules = parseMappingRules('RULE:^CN=(.*?),O=Acme$/$1@acme/L,DEFAULT')
    assert.equal(mapDistinguishedName(rules, 'CN=Client-App,O=Acme'), 'client-app@acme')
    assert.equal(mapDistinguishedName(rules, 'CN=x,O=Other'), 'CN=x,O=Other')
    assert.equal(mapDistinguishedName(parseMappingRules('RULE:^CN=([^,]*).*$/$1/U'), 'CN=ab,O=c'), 'AB')
    assert.throws(() => parseMappingRules('NONSENSE'), /is not DEFAULT or RULE:pattern\/replacement\/\[LU\]/)
  })
})
