// Runs the service with a durable event log: `npm start` (then POST/GET http://127.0.0.1:3000/events).
// dataDir mode keeps every acknowledged event across restarts and crashes (see the repository's
// docs/embedded-testing.md); leave dataDir out for an in-memory log.
import { startStreamline } from 'streamline'
import { buildApp } from './app.js'

const streamline = await startStreamline({ dataDir: process.env.EVENT_LOG_DIR ?? './event-log' })
const app = await buildApp({ streamline })
const url = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
console.log(`events at ${url}/events; Kafka clients can read the log at ${streamline.bootstrap}`)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await app.close()
    await streamline.close()
  })
}
