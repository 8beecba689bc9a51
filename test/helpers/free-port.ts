// A TCP port that was free a moment ago, for tests that must restart a process on the same address
// (clients keep their bootstrap address across a broker restart). Another process could take it in
// between; the OS hands out ephemeral ports in rotation, which makes that unlikely.
import { createServer } from 'node:net'

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolvePromise(port))
    })
  })
}

/** `count` distinct free ports: each is held open until all are chosen (freePort called twice in a row
 * may hand out the same port again, and a broker refuses two listeners on one port). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolvePromise, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, host, () => resolvePromise(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    return typeof address === 'object' && address !== null ? address.port : 0
  })
  await Promise.all(servers.map((server) => new Promise((resolvePromise) => server.close(resolvePromise))))
  return ports
}
