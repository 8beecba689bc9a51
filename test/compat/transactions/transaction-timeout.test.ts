// Goal: a transaction timeout above transaction.max.timeout.ms (900,000 ms) is refused with
// INVALID_TRANSACTION_TIMEOUT (50), at every InitProducerId version and by each client's own error,
// and exactly the maximum is accepted.
// Method: the broker as the real CLI process. Raw InitProducerId v0-v5 built with our generated codecs;
// confluent-kafka (init_transactions with transaction.timeout.ms=900001) and kafkajs
// (transactionTimeout 900001) report the broker's code as their error.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createDefaultInitProducerIdRequest } from '../../../src/protocol/generated/init-producer-id-request.ts'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { runPython } from '../../helpers/python.ts'
import { testKafka } from '../groups/group-members.ts'

let broker: BrokerProcess
before(async () => {
  broker = await startBrokerProcess()
})
after(async () => {
  await broker?.stop()
})

test('raw InitProducerId v0-v5: 900,001 ms is INVALID_TRANSACTION_TIMEOUT, 900,000 ms is accepted', async () => {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    for (let version = 0; version <= 5; version++) {
      const request = (transactionTimeoutMs: number) =>
        client.request(22, version, {
          ...createDefaultInitProducerIdRequest(),
          transactionalId: `timeout-${version}`,
          transactionTimeoutMs,
        })
      const refused = await request(900_001)
      assert.deepEqual(
        [refused.errorCode, refused.producerId, refused.producerEpoch],
        [50, -1n, -1],
        `v${version} above the maximum`,
      )
      const accepted = await request(900_000)
      assert.deepEqual([accepted.errorCode, accepted.producerEpoch], [0, 0], `v${version} at the maximum`)
    }
  } finally {
    client.close()
  }
})

const confluentScript = `
import json, sys
from confluent_kafka import KafkaException, Producer
producer = Producer({'bootstrap.servers': sys.argv[1], 'transactional.id': 'confluent-timeout',
                     'transaction.timeout.ms': int(sys.argv[2])})
try:
    producer.init_transactions(20)
    print(json.dumps(None))
except KafkaException as exception:
    error = exception.args[0]
    print(json.dumps({'name': error.name(), 'code': error.code()}))
`

test('confluent-kafka: init_transactions with transaction.timeout.ms=900001 fails with INVALID_TRANSACTION_TIMEOUT', {
  skip: requireClient('confluent-kafka'),
  timeout: 60_000,
}, async () => {
  assert.deepEqual(await runPython(confluentScript, { args: [broker.bootstrap, '900001'] }), {
    name: 'INVALID_TRANSACTION_TIMEOUT',
    code: 50,
  })
  assert.equal(await runPython(confluentScript, { args: [broker.bootstrap, '900000'] }), null)
})

test('kafkajs: transactionTimeout 900001 fails with INVALID_TRANSACTION_TIMEOUT', async () => {
  const producer = testKafka(broker.bootstrap, 'timeout').producer({
    transactionalId: 'kafkajs-timeout',
    transactionTimeout: 900_001,
    maxInFlightRequests: 1,
    idempotent: true,
  })
  await producer.connect()
  try {
    await assert.rejects(producer.transaction(), (error: unknown) => {
      assert.equal((error as { type?: string }).type, 'INVALID_TRANSACTION_TIMEOUT')
      return true
    })
  } finally {
    await producer.disconnect()
  }
})
