// Goal: the ProtobufConverter maps Connect's Date, Time, Timestamp and Decimal and (with
// `wrapper.for.nullables=true`) optional primitives as Confluent's ProtobufData does, through a real
// schema registry: the registered proto3 file imports google/type/date.proto, google/type/timeofday.proto,
// confluent/type/decimal.proto (precision and scale in `(confluent.field_meta)`), google/protobuf
// wrappers; a second converter reads the record back to the same Connect schema and values; Confluent's
// own JavaScript ProtobufDeserializer decodes the date, time and wrappers (without the decimal: see
// below); values
// Confluent refuses (a Date with a time of day, a Time past a day) are DataExceptions.
// Method: a broker process (its schema registry on a free port); two converters configured as a worker
// configures them; @confluentinc/schemaregistry's deserializer as the independent reader.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ProtobufDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry'
import { DataException } from '../../src/connect/converters/converter.ts'
import { ProtobufConverter } from '../../src/connect/converters/protobuf-converter.ts'
import { LogicalNames, type Schema } from '../../src/connect/sdk/data.ts'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'

let broker: BrokerProcess | null = null
let registryUrl = ''
before(async () => {
  broker = await startBrokerProcess({ args: ['--no-connect'] })
  assert.ok(broker.registryUrl !== null)
  registryUrl = broker.registryUrl
})
after(async () => {
  await broker?.stop()
})

const schema: Schema = {
  type: 'struct',
  optional: false,
  name: 'shop.Payment',
  fields: [
    { field: 'day', type: 'int32', optional: false, name: LogicalNames.date, version: 1 },
    { field: 'at', type: 'int32', optional: false, name: LogicalNames.time, version: 1 },
    {
      field: 'amount',
      type: 'bytes',
      optional: false,
      name: LogicalNames.decimal,
      version: 1,
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    },
    { field: 'paid', type: 'int64', optional: false, name: LogicalNames.timestamp, version: 1 },
    { field: 'note', type: 'string', optional: true },
    { field: 'count', type: 'int64', optional: true },
  ],
}

function converter(): ProtobufConverter {
  const created = new ProtobufConverter()
  created.configure({ 'schema.registry.url': registryUrl, 'wrapper.for.nullables': 'true' }, { isKey: false })
  return created
}

// 2023-12-08 (19699 days), 12:34:56.789, -123.45 (unscaled -12345), a timestamp, one null wrapper.
const value = {
  day: 19_699,
  at: 45_296_789,
  amount: Buffer.from([0xcf, 0xc7]),
  paid: 1_702_039_696_789,
  note: null,
  count: 42,
}

test('Date, Time, Decimal and wrappers round-trip through the registry as Confluent maps them', {
  timeout: 60_000,
}, async () => {
  const bytes = await converter().fromConnectData('payments', schema, value)
  assert.ok(bytes !== null)
  const latest = (await (await fetch(`${registryUrl}/subjects/payments-value/versions/latest`)).json()) as {
    schema: string
  }
  assert.equal(
    latest.schema,
    [
      'syntax = "proto3";',
      'package shop;',
      'import "google/type/date.proto";',
      'import "google/type/timeofday.proto";',
      'import "confluent/meta.proto";',
      'import "confluent/type/decimal.proto";',
      'import "google/protobuf/timestamp.proto";',
      'import "google/protobuf/wrappers.proto";',
      '',
      'message Payment {',
      '  google.type.Date day = 1;',
      '  google.type.TimeOfDay at = 2;',
      '  confluent.type.Decimal amount = 3 [(confluent.field_meta) = { params: [{ key: "precision", value: "10" }, { key: "scale", value: "2" }] }];',
      '  google.protobuf.Timestamp paid = 4;',
      '  google.protobuf.StringValue note = 5;',
      '  google.protobuf.Int64Value count = 6;',
      '}',
    ].join('\n'),
  )
  const read = await converter().toConnectData('payments', bytes)
  assert.deepEqual(read.value, value)
  assert.deepEqual(
    read.schema?.fields?.map((field) => [
      field.field,
      field.type,
      field.name ?? null,
      field.parameters ?? null,
    ]),
    [
      ['day', 'int32', LogicalNames.date, null],
      ['at', 'int32', LogicalNames.time, null],
      ['amount', 'bytes', LogicalNames.decimal, { scale: '2', 'connect.decimal.precision': '10' }],
      ['paid', 'int64', LogicalNames.timestamp, null],
      ['note', 'string', null, null],
      ['count', 'int64', null, null],
    ],
  )
  // Confluent's own deserializer reads the same mapping (its built-in google/type files and wrappers).
  // Not with the decimal: that library files its decimal.proto as confluent/types/decimal.proto and so
  // cannot resolve the confluent/type/decimal.proto import it (and Confluent's converter) write.
  const withoutDecimal: Schema = {
    ...schema,
    fields: schema.fields?.filter((field) => field.field !== 'amount'),
  }
  const { amount: _amount, ...rest } = value
  const other = await converter().fromConnectData('payments-other', withoutDecimal, rest)
  assert.ok(other !== null)
  const client = SchemaRegistryClient.newClient({ baseURLs: [registryUrl] })
  const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {})
  const message = (await deserializer.deserialize('payments-other', other)) as Record<string, unknown>
  assert.deepEqual(message.day, { $typeName: 'google.type.Date', year: 2023, month: 12, day: 8 })
  assert.deepEqual(message.at, {
    $typeName: 'google.type.TimeOfDay',
    hours: 12,
    minutes: 34,
    seconds: 56,
    nanos: 789_000_000,
  })
  assert.equal(message.note, undefined)
  assert.equal(message.count, 42n) // @bufbuild unboxes wrapper fields
})

test('values Confluent refuses are DataExceptions', { timeout: 30_000 }, async () => {
  const writer = converter()
  await assert.rejects(
    writer.fromConnectData('payments', schema, { ...value, day: new Date(Date.UTC(2023, 11, 8, 1)) }),
    (error: unknown) =>
      error instanceof DataException &&
      error.message === 'Kafka Connect Date type should not have any time fields set to non-zero values.',
  )
  await assert.rejects(
    writer.fromConnectData('payments', schema, { ...value, at: 86_400_001 }),
    (error: unknown) =>
      error instanceof DataException &&
      error.message === 'Time values must use number of millis greater than 0 and less than 86400000',
  )
})
