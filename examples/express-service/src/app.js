// An Express service whose event log is a topic of an embedded Streamline broker, reached through the
// in-process client (no socket, no Kafka client library):
//   POST /events {"type": "...", "data": {...}} → produced to the topic; answers its partition and offset.
//   GET  /events                               → the events in log order, read back from the topic.
// The stored records are byte for byte what a network producer stores, so any Kafka client can
// consume the log at streamline.bootstrap.
import express from 'express'
import { jsonDeserializer, jsonSerializer, stringDeserializer } from 'streamline'

/**
 * @param {{ streamline: import('streamline').Streamline, topic?: string }} options
 * @returns {Promise<{ app: import('express').Express, close(): Promise<void> }>}
 */
export async function buildApp({ streamline, topic = 'events' }) {
  const admin = streamline.admin()
  if (!(await admin.listTopics()).includes(topic)) await admin.createTopics([{ name: topic, partitions: 1 }])
  // acks -1 (the default): a 201 means the event is stored (fsynced first in dataDir mode).
  const producer = streamline.producer({ valueSerializer: jsonSerializer })

  const app = express()
  app.use(express.json({ limit: '64kb' }))

  app.post('/events', async (request, response) => {
    const problem = invalidEvent(request.body)
    if (problem !== null) return response.status(400).json({ message: problem })
    const { type, data = {} } = request.body
    const [{ partition, offset }] = await producer.send(topic, [{ key: type, value: data }])
    response.status(201).json({ partition, offset })
  })

  app.get('/events', async (_request, response) => {
    response.json(await readAll(streamline, topic))
  })

  // Express 5 passes a rejected handler's error here.
  app.use((error, _request, response, _next) => {
    const status = error.status ?? error.statusCode ?? 500
    response.status(status).json({ message: status === 500 ? 'internal error' : error.message })
  })

  return {
    app,
    async close() {
      await producer.close()
    },
  }
}

function invalidEvent(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object'
  const { type, data, ...rest } = body
  if (typeof type !== 'string' || type.length === 0 || type.length > 100)
    return "the body must have required property 'type' (1 to 100 characters)"
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data)))
    return "'data' must be an object"
  if (Object.keys(rest).length > 0) return `unknown properties: ${Object.keys(rest).join(', ')}`
  return null
}

/** Every event stored so far: an in-process consumer without a group reads up to the high watermark. */
async function readAll(streamline, topic) {
  const [{ latest }] = await streamline.admin().topicOffsets(topic)
  const events = []
  if (latest === 0) return events
  const consumer = streamline.consumer({
    fromBeginning: true,
    keyDeserializer: stringDeserializer,
    valueDeserializer: jsonDeserializer,
  })
  try {
    await consumer.subscribe(topic)
    for await (const record of consumer) {
      events.push({ offset: record.offset, type: record.key, data: record.value, time: record.timestamp })
      if (record.offset >= latest - 1) break
    }
  } finally {
    await consumer.close()
  }
  return events
}
