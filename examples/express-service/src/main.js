// Runs the service with a durable event log: `npm start` (then POST/GET http://127.0.0.1:3000/events).
// dataDir mode keeps every acknowledged event across restarts and crashes (see the repository's
// docs/embedded.md); leave dataDir out for an in-memory log.
import { startStreamline } from 'streamline'
import { buildApp } from './app.js'

const streamline = await startStreamline({ dataDir: process.env.EVENT_LOG_DIR ?? './event-log' })
const { app, close } = await buildApp({ streamline })
const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', () => {
  console.log(
    `events at http://127.0.0.1:${port}/events; Kafka clients can read the log at ${streamline.bootstrap}`,
  )
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(async () => {
      await close()
      await streamline.close()
    })
  })
}
