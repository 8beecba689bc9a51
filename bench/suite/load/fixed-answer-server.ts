// The registry workload's apparatus floor: a process that answers every HTTP request it reads with
// the same fixed bytes (a 200 with the body it is given and node:http's headers), on raw sockets as
// the registry's fast path does, and no registry at all. The load generator against it at the
// registry phases' rate gives the latency that the generator, the loopback and one Node process's
// event loop cost on this machine; what the registry measures above that is the registry's.
// Forked by registry.ts with the body as argv[2]; says its port over IPC; exits when the parent
// disconnects.
import { createServer } from 'node:net'

const body = Buffer.from(process.argv[2] ?? '{}')
const answer = Buffer.concat([
  Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\n' +
      `Content-Length: ${body.length}\r\nDate: ${new Date().toUTCString()}\r\n` +
      'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    'latin1',
  ),
  body,
])
const headEnd = Buffer.from('\r\n\r\n')

const server = createServer({ noDelay: true }, (socket) => {
  // Requests without a body (GETs, Content-Length: 0): each head answered as it completes.
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    for (let end = pending.indexOf(headEnd); end >= 0; end = pending.indexOf(headEnd)) {
      pending = pending.subarray(end + headEnd.length)
      socket.write(answer)
    }
  })
  socket.on('error', () => socket.destroy())
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address !== null && typeof address === 'object') process.send?.({ port: address.port })
})
process.on('disconnect', () => process.exit(0))
