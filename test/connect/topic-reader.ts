// Reads a topic from the beginning with kafkajs (a fresh consumer group each time) until `count`
// records arrived, then a little longer to catch extras; every wait is bounded.
import { Kafka, logLevel } from 'kafkajs'
import { waitFor } from '../helpers/connect.ts'

export interface ReadRecord {
  key: string | null
  value: string | null
  offset: number
  partition: number
  headers: Record<string, string>
}

let groups = 0

export async function readTopic(
  bootstrap: string,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'connect-io-test', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  await waitFor(
    `topic ${topic}`,
    async () =>
      (
        await kafka
          .admin()
          .listTopics()
          .catch((): string[] => [])
      ).includes(topic)
        ? true
        : undefined,
    timeoutMs,
  )
  const consumer = kafka.consumer({ groupId: `reader-${process.pid}-${Date.now()}-${groups++}` })
  const seen: ReadRecord[] = []
  const deadline = Date.now() + timeoutMs
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value)
        seen.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          offset: Number(message.offset),
          partition,
          headers,
        })
      },
    })
    await waitFor(
      `${count} records of ${topic}`,
      async () => {
        if (seen.length >= count) return true
        if (Date.now() > deadline) throw new Error(`only ${seen.length} of ${count} records`)
        return undefined
      },
      timeoutMs + 1_000,
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
  } finally {
    await consumer.disconnect()
  }
  return seen.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}
