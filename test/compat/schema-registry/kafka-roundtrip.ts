// Produce values through the broker with kafkajs and consume them back, for the serializer tests:
// the bytes a serializer made go through a real topic, not a shortcut.
import { Kafka, logLevel } from 'kafkajs'

export async function roundTrip(bootstrap: string, topic: string, values: Buffer[]): Promise<Buffer[]> {
  const kafka = new Kafka({
    clientId: 'registry-compat',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: values.map((value) => ({ value })) })
  await producer.disconnect()
  const consumer = kafka.consumer({
    groupId: `${topic}-reader`,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received: Buffer[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumed ${received.length} of ${values.length}`)),
        30_000,
      )
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value !== null) received.push(message.value)
            if (received.length === values.length) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return received
}
