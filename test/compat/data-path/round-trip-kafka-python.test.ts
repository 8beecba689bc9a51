// Goal: kafka-python produces 10,000 keyed records to a 6-partition topic and reads them back exactly:
// key, value, headers, timestamp, partition, offset, and per-partition order (issue 4, "Done when").
// Method: kafka-python's KafkaAdminClient creates the topic, KafkaProducer writes (acks=all) and a
// group-less KafkaConsumer (assign + seek 0) reads;
// see round-trip.ts. The broker runs as the real CLI (npm start) on a fresh data dir.
import { test } from 'node:test'
import { requireClient } from '../../helpers/clients.ts'
import { runRoundTrip } from './round-trip.ts'

test(
  'kafka-python round trip: 10,000 records, 6 partitions, exact data and order',
  { skip: requireClient('kafka-python'), timeout: 120_000 },
  () => runRoundTrip('kafka-python'),
)
