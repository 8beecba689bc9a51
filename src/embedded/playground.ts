// `--playground`: demo topics with a little live sample data, produced through the log like any
// client's records (v2 batches appended to the partition logs), so consumers, the REST API and the
// metrics see real traffic. Orders are keyed by customer (murmur2, as Kafka clients partition them).

import { partitionForKey } from '../http/message-codec.ts'
import type { Logger } from '../log.ts'
import { buildBatch } from '../protocol/records/batch-v2.ts'
import type { LogManager } from '../storage/types.ts'

export const playgroundTopics = [
  { name: 'playground-orders', partitionCount: 3 },
  { name: 'playground-clicks', partitionCount: 1 },
] as const

/** One order and one click every this often. */
const sampleIntervalMs = 1000
const customers = ['ada', 'grace', 'linus', 'margaret', 'ken']
const pages = ['/', '/pricing', '/docs', '/blog', '/signup']

export interface Playground {
  stop(): Promise<void>
}

async function produceSample(logs: LogManager, sequence: number): Promise<void> {
  const now = Date.now()
  const customer = customers[sequence % customers.length]
  const key = Buffer.from(customer)
  const order = {
    orderId: sequence,
    customer,
    amountCents: 100 + ((sequence * 7919) % 9900),
    at: new Date(now).toISOString(),
  }
  const orders = logs.partition('playground-orders', partitionForKey(key, playgroundTopics[0].partitionCount))
  const clicks = logs.partition('playground-clicks', 0)
  if (orders !== undefined) {
    const batch = await buildBatch({
      records: [{ timestamp: now, key, value: Buffer.from(JSON.stringify(order)) }],
    })
    await orders.append(batch, { durable: false, leaderEpoch: 0 })
  }
  if (clicks !== undefined) {
    const page = pages[sequence % pages.length]
    const batch = await buildBatch({
      records: [
        {
          timestamp: now,
          key: null,
          value: Buffer.from(page),
          headers: [{ key: 'source', value: Buffer.from('playground') }],
        },
      ],
    })
    await clicks.append(batch, { durable: false, leaderEpoch: 0 })
  }
}

export async function startPlayground(logs: LogManager, log: Logger): Promise<Playground> {
  for (const topic of playgroundTopics) {
    if (logs.getTopic(topic.name) === undefined) {
      await logs.createTopic(topic.name, { partitionCount: topic.partitionCount })
    }
  }
  let sequence = logs.partition('playground-clicks', 0)?.logEndOffset ?? 0
  let running: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(() =>
      produceSample(logs, sequence++).catch((error: unknown) => {
        log.warn({ err: error }, 'playground sample not produced')
      }),
    )
  }, sampleIntervalMs)
  timer.unref()
  log.info({ topics: playgroundTopics.map((topic) => topic.name) }, 'playground producing sample data')
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
