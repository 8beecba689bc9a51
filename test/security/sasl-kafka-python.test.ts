// Goal: Kafka's legacy SASL exchange (SaslHandshake v0, then raw size-prefixed tokens without
// request headers) with a real client: kafka-python 2.0 logs in that way with PLAIN and with
// SCRAM-SHA-512, then produces and consumes one record.
// Method: the broker CLI with a SASL_PLAINTEXT listener and a users file (secure-broker.ts); a
// Python script per mechanism; the exact value read back is asserted.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { requireClient } from '../helpers/clients.ts'
import { runPython } from '../helpers/python.ts'
import { type SecureBroker, startSecureBroker, users } from './secure-broker.ts'

const roundTrip = `
import json, sys
from kafka import KafkaConsumer, KafkaProducer
bootstrap, mechanism, user, password, topic = sys.argv[1:6]
sasl = dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism=mechanism,
            sasl_plain_username=user, sasl_plain_password=password, request_timeout_ms=20000,
            api_version_auto_timeout_ms=20000)
producer = KafkaProducer(**sasl)
producer.send(topic, b'kafka-python-value').get(timeout=20)
producer.close()
consumer = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=15000, **sasl)
values = []
for message in consumer:
    values.append(message.value.decode())
    break
consumer.close()
print(json.dumps(values))
`

describe('kafka-python over SASL_PLAINTEXT (legacy SaslHandshake v0 exchange)', {
  skip: requireClient('kafka-python'),
}, () => {
  let secure: SecureBroker
  before(async () => {
    secure = await startSecureBroker()
  })
  after(async () => {
    await secure?.stop()
  })

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-512']) {
    test(`${mechanism}: produce and consume one record`, async () => {
      const topic = `kafka-python-${mechanism.toLowerCase()}`
      const values = await runPython(roundTrip, {
        args: [secure.saslPlaintext, mechanism, 'alice', users.alice, topic],
      })
      assert.deepEqual(values, ['kafka-python-value'])
    })
  }
})
