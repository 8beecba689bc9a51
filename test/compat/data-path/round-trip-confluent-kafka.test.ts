// Goal: confluent-kafka produces 10,000 keyed records to a 6-partition topic and reads them back exactly:
// key, value, headers, timestamp, partition, offset, and per-partition order (issue 4, "Done when").
// Method: confluent-kafka's AdminClient creates the topic, its Producer writes (acks=all) and a Consumer
// assigned every partition at offset 0 reads;
// see round-trip.ts. The broker runs as the real CLI (npm start) on a fresh data dir.
import { test } from 'node:test'
import { requireClient } from '../../helpers/clients.ts'
import { runRoundTrip } from './round-trip.ts'

test(
  'confluent-kafka round trip: 10,000 records, 6 partitions, exact data and order',
  { skip: requireClient('confluent-kafka'), timeout: 120_000 },
  () => runRoundTrip('confluent-kafka'),
)
