// NATS JetStream load with the official client (@nats-io/transport-node, @nats-io/jetstream): async
// publish with acks (many publishes in flight, each resolved by its PubAck: the counterpart of a Kafka
// producer's in-flight requests with acks=1), and a pull consumer (`consume()`, no per-message acks,
// as a Kafka consumer commits positions rather than acking records) reading the stream from the start.
// The stream uses file storage.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { AlternativeRun } from './redis-streams.ts'

const publishesInFlight = 1000
const consumeBatchMessages = 1000

function cpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

/** Creates `stream` (file storage) taking subject `<stream>.records`; returns the connection. */
export async function connectNats(port: number, stream: string): Promise<NatsConnection> {
  const connection = await connect({ servers: `127.0.0.1:${port}`, reconnect: false })
  const manager = await jetstreamManager(connection)
  await manager.streams.add({ name: stream, subjects: [`${stream}.records`], storage: StorageType.File })
  return connection
}

/** Publishes `recordBytes`-byte payloads with `publishesInFlight` awaiting their acks. */
export async function natsPublish(
  connection: NatsConnection,
  stream: string,
  options: { recordBytes: number; durationMs: number; recordsMax: number },
): Promise<AlternativeRun> {
  const client = jetstream(connection)
  const payload = new Uint8Array(options.recordBytes).fill(0x61)
  const subject = `${stream}.records`
  let records = 0
  let sent = 0
  const cpuBefore = cpuSeconds()
  const started = performance.now()
  const deadline = started + options.durationMs
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline && sent < options.recordsMax) {
      sent++
      await client.publish(subject, payload)
      records++
    }
  }
  await Promise.all(Array.from({ length: publishesInFlight }, lane))
  return {
    records,
    bytes: records * options.recordBytes,
    seconds: (performance.now() - started) / 1000,
    clientCpuSeconds: cpuSeconds() - cpuBefore,
  }
}

/** Reads `records` messages from the start of `stream` with a pull consumer, bounded by `durationMs`. */
export async function natsConsume(
  connection: NatsConnection,
  stream: string,
  options: { records: number; durationMs: number },
): Promise<AlternativeRun> {
  const manager = await jetstreamManager(connection)
  await manager.consumers.add(stream, {
    durable_name: 'bench-reader',
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  })
  const consumer = await jetstream(connection).consumers.get(stream, 'bench-reader')
  let records = 0
  let bytes = 0
  const cpuBefore = cpuSeconds()
  const started = performance.now()
  const messages = await consumer.consume({ max_messages: consumeBatchMessages })
  const timer = setTimeout(() => messages.stop(), options.durationMs)
  try {
    for await (const message of messages) {
      records++
      bytes += message.data.length
      if (records >= options.records) break
    }
  } finally {
    clearTimeout(timer)
    messages.stop()
  }
  return {
    records,
    bytes,
    seconds: (performance.now() - started) / 1000,
    clientCpuSeconds: cpuSeconds() - cpuBefore,
  }
}
