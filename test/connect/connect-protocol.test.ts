// Goal: `--connect-protocol` reaches the worker inside `streamline`: with `eager` its Connect group
// runs Kafka's eager protocol (protocol name "default"), as its rebalance metrics on the broker's
// /metrics report, with the worker itself as leader and one completed rebalance.
// Method: one broker process with --connect-group-id and --connect-protocol eager; curl scrapes /metrics
// until the group's first rebalance completed.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { type BrokerProcess, httpUrlOf, startBrokerProcess } from '../helpers/broker-process.ts'
import { connectUrlOf, scrapeMetrics, waitFor } from '../helpers/connect.ts'

let broker: BrokerProcess | null = null
after(async () => {
  await broker?.stop()
})

test('the worker inside streamline joins its Connect group with --connect-protocol eager', {
  timeout: 60_000,
}, async () => {
  broker = await startBrokerProcess({
    args: [
      '--connect-group-id',
      'eager-group',
      '--connect-protocol',
      'eager',
      '--connect-heartbeat-interval-ms',
      '500',
    ],
  })
  const prefix = 'kafka_connect_connect_worker_rebalance_metrics_'
  const group = '{group="eager-group"}'
  const metricsUrl = `${httpUrlOf(broker)}/metrics`
  const found = await waitFor('the first rebalance completed', async () => {
    const samples = await scrapeMetrics(metricsUrl)
    return (samples.get(`${prefix}completed_rebalances_total${group}`) ?? 0) >= 1 &&
      samples.get(`${prefix}rebalancing${group}`) === 0
      ? samples
      : undefined
  })
  assert.equal(found.get(`${prefix}connect_protocol{group="eager-group",protocol="eager"}`), 1)
  assert.equal(
    found.get(`${prefix}leader_name{group="eager-group",leader_name="${connectUrlOf(broker)}"}`),
    1,
  )
  assert.ok((found.get(`${prefix}epoch${group}`) ?? 0) >= 1)
  assert.match(broker.output(), /"protocol":"default".*"msg":"Connect group assignment"/)
})
