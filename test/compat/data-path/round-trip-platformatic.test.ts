// Goal: platformatic produces 10,000 keyed records to a 6-partition topic and reads them back exactly:
// key, value, headers, timestamp, partition, offset, and per-partition order (issue 4, "Done when").
// Method: @platformatic/kafka's Admin creates the topic, its Producer writes (acks ALL) and its
// Consumer.fetch (no group: it fetches each partition from offset 0 by topic id) reads;
// see round-trip.ts. The broker runs as the real CLI (npm start) on a fresh data dir.
import { test } from 'node:test'
import { runRoundTrip } from './round-trip.ts'

test(
  'platformatic round trip: 10,000 records, 6 partitions, exact data and order',
  { timeout: 120_000 },
  () => runRoundTrip('platformatic'),
)
