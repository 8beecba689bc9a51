// A Fastify service whose event log is a topic of an embedded Streamline broker.
//   POST /events {"type": "...", "data": {...}} → produced to the topic; answers its partition and offset.
//   GET  /events                               → the events in log order, read back from the topic.
// Writes go through an ordinary Kafka producer (@platformatic/kafka), so any Kafka client can also
// consume the log; reads use Streamline's SQL over the topic (streamline.query), which answers from
// the log as it is at that moment, without a consumer group.
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka'
import Fastify from 'fastify'

const eventBody = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 100 },
    data: { type: 'object' },
  },
}

/**
 * @param {{ streamline: import('streamline').Streamline, topic?: string }} options
 */
export async function buildApp({ streamline, topic = 'events' }) {
  await createTopicIfMissing(streamline.bootstrap, topic)
  const producer = new Producer({
    clientId: 'event-service',
    bootstrapBrokers: [streamline.bootstrap],
    serializers: stringSerializers,
  })
  const app = Fastify()
  app.addHook('onClose', async () => {
    await producer.close()
  })

  app.post('/events', { schema: { body: eventBody } }, async (request, reply) => {
    const { type, data = {} } = request.body
    const result = await producer.send({
      acks: ProduceAcks.ALL,
      messages: [{ topic, key: type, value: JSON.stringify(data) }],
    })
    const [{ partition, offset }] = result.offsets
    return reply.code(201).send({ partition, offset: Number(offset) })
  })

  app.get('/events', async () => {
    // The topic name is ours, not the caller's; SQL gets no request input.
    const result = await streamline.query(
      `SELECT "offset", key, value, epoch_ms(timestamp) AS time FROM streamline_topic('${topic}') ORDER BY "offset"`,
    )
    return result.rows.map(([offset, type, value, time]) => ({
      offset: Number(offset),
      type,
      data: JSON.parse(value),
      time: Number(time),
    }))
  })

  return app
}

async function createTopicIfMissing(bootstrap, topic) {
  const admin = new Admin({ clientId: 'event-service', bootstrapBrokers: [bootstrap] })
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    }
  } finally {
    await admin.close()
  }
}
