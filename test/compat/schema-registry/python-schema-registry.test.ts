// Goal: the Python client people use, confluent_kafka.schema_registry (Debian's
// python3-confluent-kafka), works unchanged against our registry with its JSON Schema and Protobuf
// serializers, producing through the broker and consuming back (issue 15, "Done when"; Debian has no
// fastavro, so Avro is covered by the two JavaScript clients). Its Protobuf serializer registers the
// imported well-known type as a reference subject and the schema as a base64 descriptor.
// Method: a CLI broker on free ports; python_schema_registry.py runs under /usr/bin/python3 and prints
// what it consumed; the test checks the values and the registry's subjects.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('confluent-kafka-schema-registry')
let broker: BrokerProcess | undefined

before(async () => {
  if (skip === false) broker = await startBrokerProcess()
})
after(() => broker?.stop())

test('JSON Schema and Protobuf serializers round-trip through the broker', {
  skip,
  timeout: 120_000,
}, async () => {
  const running = broker ?? assert.fail('no broker')
  const script = await readFile(join(import.meta.dirname, 'python_schema_registry.py'), 'utf8')
  const result = (await runPython(script, {
    args: [running.bootstrap, running.registryUrl ?? assert.fail('no registry')],
    timeoutMs: 90_000,
  })) as {
    json: unknown[]
    jsonId: number
    protobuf: unknown[]
    protobufId: number
    subjects: string[]
  }
  assert.deepEqual(result.json, [
    { page: '/home', seconds: 1.5 },
    { page: '/cart', seconds: 30 },
  ])
  assert.deepEqual(result.protobuf, [
    { sensor: 's1', celsius: 20.5, at: 1700000000 },
    { sensor: 's2', celsius: -1, at: 0 },
  ])
  assert.deepEqual(result.subjects, [
    'google/protobuf/timestamp.proto',
    'py-readings-value',
    'py-visits-value',
  ])
  const byId = (await (await fetch(`${running.registryUrl}/schemas/ids/${result.protobufId}`)).json()) as {
    schemaType: string
    references: unknown[]
  }
  assert.equal(byId.schemaType, 'PROTOBUF')
  assert.deepEqual(byId.references, [
    { name: 'google/protobuf/timestamp.proto', subject: 'google/protobuf/timestamp.proto', version: 1 },
  ])
})
