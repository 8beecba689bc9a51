// Goal: a broker whose Kafka listener cannot bind fails its start and leaves nothing behind: the
// HTTP and registry ports it had already bound are free again and its data dir can be opened by the
// next start (the log was closed), so an embedding process neither leaks ports nor hangs.
// Method: hold a port with a plain TCP server, startBroker with that port as its listener and HTTP
// and registry on ports picked here; expect EADDRINUSE, then bind the HTTP and registry ports
// ourselves, then start a broker on the same data dir with a free listener.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { startBroker } from '../../src/broker/start.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { freePorts } from '../helpers/free-port.ts'

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

test('a listener that cannot bind fails the start and releases the HTTP and registry ports', async () => {
  const dir = await makeTempDir('streamline-start-failure-')
  const [kafkaPort, httpPort, registryPort] = await freePorts(3)
  const holder = await listen(kafkaPort)
  try {
    await assert.rejects(
      startBroker({
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        listenAddr: `127.0.0.1:${kafkaPort}`,
        httpAddr: `127.0.0.1:${httpPort}`,
        registryAddr: `127.0.0.1:${registryPort}`,
      }),
      /EADDRINUSE/,
    )
    for (const port of [httpPort, registryPort]) {
      const server = await listen(port)
      await new Promise((resolve) => server.close(resolve))
    }
    const broker = await startBroker({
      dataDir: join(dir, 'data'),
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      httpAddr: null,
    })
    await broker.close()
  } finally {
    await new Promise((resolve) => holder.close(resolve))
    await removeTempDir(dir)
  }
})
