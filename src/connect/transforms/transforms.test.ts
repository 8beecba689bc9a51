// Goal: each single message transform and predicate does what Kafka's does with the same options,
// schemaless and with a struct schema. Method: records through a TransformationChain built from a
// connector config exactly as a user writes it (Kafka's class names and option names); exact output.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TransformationChain } from '../runtime/transformation-chain.ts'
import type { Schema } from '../sdk/data.ts'
import type { SinkRecord } from '../sdk/records.ts'

const T = 'org.apache.kafka.connect.transforms'

function sinkRecord(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: 2,
    kafkaOffset: 41,
    keySchema: null,
    key: null,
    valueSchema: null,
    value,
    timestamp: Date.UTC(2024, 0, 15, 10, 30, 0),
    headers: [],
    originalTopic: 'orders',
    originalKafkaPartition: 2,
    originalKafkaOffset: 41,
    ...extra,
  }
}

function chain(config: Record<string, string>): TransformationChain {
  return new TransformationChain(config)
}

test('InsertField$Value adds topic, partition, offset, timestamp and a static field', () => {
  const out = chain({
    transforms: 'insert',
    'transforms.insert.type': `${T}.InsertField$Value`,
    'transforms.insert.topic.field': 'src_topic',
    'transforms.insert.partition.field': 'src_partition',
    'transforms.insert.offset.field': 'src_offset',
    'transforms.insert.timestamp.field': 'ts',
    'transforms.insert.static.field': 'origin',
    'transforms.insert.static.value': 'streamline',
  }).apply(sinkRecord({ id: 1 }))
  assert.deepEqual(out?.value, {
    id: 1,
    src_topic: 'orders',
    src_partition: 2,
    src_offset: 41,
    ts: 1705314600000,
    origin: 'streamline',
  })
})

test('ReplaceField$Value include/exclude/renames; with a schema the fields follow', () => {
  const schema: Schema = {
    type: 'struct',
    optional: false,
    fields: [
      { field: 'id', type: 'int32', optional: false },
      { field: 'secret', type: 'string', optional: true },
      { field: 'name', type: 'string', optional: true },
    ],
  }
  const out = chain({
    transforms: 'r',
    'transforms.r.type': `${T}.ReplaceField$Value`,
    'transforms.r.exclude': 'secret',
    'transforms.r.renames': 'name:full_name',
  }).apply(sinkRecord({ id: 7, secret: 'x', name: 'Ada' }, { valueSchema: schema }))
  assert.deepEqual(out?.value, { id: 7, full_name: 'Ada' })
  assert.deepEqual(
    out?.valueSchema?.fields?.map((field) => field.field),
    ['id', 'full_name'],
  )
})

test('MaskField, ValueToKey, ExtractField, HoistField, Flatten, Cast', () => {
  const value = { id: 3, card: '4111', amount: 12, address: { city: 'Oslo', zip: '0150' } }
  const masked = chain({
    transforms: 'm',
    'transforms.m.type': `${T}.MaskField$Value`,
    'transforms.m.fields': 'card,amount',
  }).apply(sinkRecord(value))
  assert.deepEqual(masked?.value, { id: 3, card: '', amount: 0, address: { city: 'Oslo', zip: '0150' } })
  const keyed = chain({
    transforms: 'k',
    'transforms.k.type': `${T}.ValueToKey`,
    'transforms.k.fields': 'id',
  }).apply(sinkRecord(value))
  assert.deepEqual(keyed?.key, { id: 3 })
  const extracted = chain({
    transforms: 'k,e',
    'transforms.k.type': `${T}.ValueToKey`,
    'transforms.k.fields': 'id',
    'transforms.e.type': `${T}.ExtractField$Key`,
    'transforms.e.field': 'id',
  }).apply(sinkRecord(value))
  assert.equal(extracted?.key, 3)
  const hoisted = chain({
    transforms: 'h',
    'transforms.h.type': `${T}.HoistField$Value`,
    'transforms.h.field': 'line',
  }).apply(sinkRecord('hello'))
  assert.deepEqual(hoisted?.value, { line: 'hello' })
  const flat = chain({
    transforms: 'f',
    'transforms.f.type': `${T}.Flatten$Value`,
    'transforms.f.delimiter': '_',
  }).apply(sinkRecord(value))
  assert.deepEqual(flat?.value, {
    id: 3,
    card: '4111',
    amount: 12,
    address_city: 'Oslo',
    address_zip: '0150',
  })
  const cast = chain({
    transforms: 'c',
    'transforms.c.type': `${T}.Cast$Value`,
    'transforms.c.spec': 'id:string,amount:float64,card:int32',
  }).apply(sinkRecord(value))
  assert.deepEqual(cast?.value, { id: '3', card: 4111, amount: 12, address: { city: 'Oslo', zip: '0150' } })
})

test('TimestampConverter: unix → string and string → Timestamp', () => {
  const toText = chain({
    transforms: 't',
    'transforms.t.type': `${T}.TimestampConverter$Value`,
    'transforms.t.field': 'at',
    'transforms.t.target.type': 'string',
    'transforms.t.format': "yyyy-MM-dd'T'HH:mm:ss",
  }).apply(sinkRecord({ at: 1705314600000 }))
  assert.deepEqual(toText?.value, { at: '2024-01-15T10:30:00' })
  const toUnixSeconds = chain({
    transforms: 't',
    'transforms.t.type': `${T}.TimestampConverter$Value`,
    'transforms.t.field': 'at',
    'transforms.t.target.type': 'unix',
    'transforms.t.format': "yyyy-MM-dd'T'HH:mm:ss",
    'transforms.t.unix.precision': 'seconds',
  }).apply(sinkRecord({ at: '2024-01-15T10:30:00' }))
  assert.deepEqual(toUnixSeconds?.value, { at: 1705314600 })
})

test('RegexRouter, TimestampRouter, InsertHeader, DropHeaders, HeaderFrom', () => {
  const routed = chain({
    transforms: 'r',
    'transforms.r.type': `${T}.RegexRouter`,
    'transforms.r.regex': '(.*)ders',
    'transforms.r.replacement': 'my-$1',
  }).apply(sinkRecord({}))
  assert.equal(routed?.topic, 'my-or')
  const daily = chain({ transforms: 'd', 'transforms.d.type': `${T}.TimestampRouter` }).apply(sinkRecord({}))
  assert.equal(daily?.topic, 'orders-20240115')
  const headed = chain({
    transforms: 'i,j,d,h',
    'transforms.i.type': `${T}.InsertHeader`,
    'transforms.i.header': 'source',
    'transforms.i.value.literal': 'web',
    'transforms.j.type': `${T}.InsertHeader`,
    'transforms.j.header': 'drop-me',
    'transforms.j.value.literal': 'x',
    'transforms.d.type': `${T}.DropHeaders`,
    'transforms.d.headers': 'drop-me',
    'transforms.h.type': `${T}.HeaderFrom$Value`,
    'transforms.h.fields': 'id',
    'transforms.h.headers': 'order-id',
    'transforms.h.operation': 'move',
  }).apply(sinkRecord({ id: 9, total: 5 }))
  assert.deepEqual(headed?.value, { total: 5 })
  assert.deepEqual(
    headed?.headers.map((header) => [header.key, header.value]),
    [
      ['source', 'web'],
      ['order-id', 9],
    ],
  )
})

test('Filter with predicates: TopicNameMatches, HasHeaderKey, RecordIsTombstone, negate', () => {
  const config = {
    transforms: 'drop',
    'transforms.drop.type': `${T}.Filter`,
    'transforms.drop.predicate': 'isOrders',
    predicates: 'isOrders,tomb,hasTrace',
    'predicates.isOrders.type': `${T}.predicates.TopicNameMatches`,
    'predicates.isOrders.pattern': 'ord.*',
    'predicates.tomb.type': `${T}.predicates.RecordIsTombstone`,
    'predicates.hasTrace.type': `${T}.predicates.HasHeaderKey`,
    'predicates.hasTrace.name': 'trace',
  }
  assert.equal(chain(config).apply(sinkRecord({ a: 1 })), null)
  assert.deepEqual(chain(config).apply(sinkRecord({ a: 1 }, { topic: 'users' }))?.value, { a: 1 })
  const negated = chain({ ...config, 'transforms.drop.negate': 'true' })
  assert.deepEqual(negated.apply(sinkRecord({ a: 1 }))?.value, { a: 1 })
  assert.equal(negated.apply(sinkRecord({ a: 1 }, { topic: 'users' })), null)
  const tombstones = chain({ ...config, 'transforms.drop.predicate': 'tomb' })
  assert.equal(tombstones.apply(sinkRecord(null)), null)
  const traced = chain({ ...config, 'transforms.drop.predicate': 'hasTrace' })
  assert.equal(traced.apply(sinkRecord({}, { headers: [{ key: 'trace', schema: null, value: '1' }] })), null)
})

test('unknown transform classes and bad options are refused when the chain is built', () => {
  assert.throws(
    () => chain({ transforms: 'x', 'transforms.x.type': 'com.example.Nope' }),
    /Class com.example.Nope could not be found/,
  )
  assert.throws(
    () =>
      chain({ transforms: 'c', 'transforms.c.type': `${T}.Cast$Value`, 'transforms.c.spec': 'id:decimal' }),
    /Invalid type found in casting spec: id:decimal/,
  )
})
