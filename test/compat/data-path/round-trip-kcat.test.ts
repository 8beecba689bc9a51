// Goal: kcat produces 10,000 keyed records to a 6-partition topic and reads them back exactly:
// key, value, headers, partition, offset, and per-partition order (issue 4, "Done when"). kcat -P
// cannot set per-record headers or timestamps: each partition's run sets two fixed headers, and the
// timestamps (librdkafka's clock) must fall inside the produce run.
// Method: see round-trip.ts (kafkajs's admin creates the topic: kcat has no CreateTopics); the
// broker runs as the real CLI (npm start) on a fresh data dir.
import { test } from 'node:test'
import { requireClient } from '../../helpers/clients.ts'
import { runRoundTrip } from './round-trip.ts'

test(
  'kcat round trip: 10,000 records, 6 partitions, exact data and order',
  { skip: requireClient('kcat'), timeout: 120_000 },
  () => runRoundTrip('kcat'),
)
