// Goal: kafkajs produces 10,000 keyed records to a 6-partition topic and reads them back exactly:
// key, value, headers, timestamp, partition, offset, and per-partition order (issue 4, "Done when").
// Method: kafkajs's admin creates the topic, its producer writes (acks=-1) and its group consumer
// (subscribe fromBeginning, eachBatch) reads;
// see round-trip.ts. The broker runs as the real CLI (npm start) on a fresh data dir.
import { test } from 'node:test'
import { runRoundTrip } from './round-trip.ts'

test('kafkajs round trip: 10,000 records, 6 partitions, exact data and order', { timeout: 120_000 }, () =>
  runRoundTrip('kafkajs'),
)
