// Goal: max.connections (over all listeners) and max.connections.per.ip with
// max.connections.per.ip.overrides are enforced as Kafka's ConnectionQuotas does: a connection over a
// limit is closed at once, unanswered; a closed connection frees its slot; an override of 0 blocks an
// address. A real client keeps working within the limits.
// Method: the broker runs as a CLI child process started with Kafka's own config names in a TOML file
// (max.connections = 7, max.connections.per.ip = 3, overrides 127.0.0.2:5 and 127.0.0.3:0). Raw
// sockets connect from different loopback source addresses (Linux routes all of 127/8 to lo) and send
// ApiVersions: an admitted socket gets an answer, a refused one is closed without one. Slot release is
// awaited with a bounded retry (the broker learns of a close asynchronously). kafkajs then connects
// and reads the limits back with DescribeConfigs.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { apiVersionsRequest } from '../helpers/raw-kafka.ts'

const answerWaitMs = 10_000

interface Attempt {
  socket: Socket
  admitted: boolean
}

/** Connects from `localAddress`, sends ApiVersions v0: admitted when an answer comes back. */
function attempt(broker: BrokerProcess, localAddress: string): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: broker.host, port: broker.port, localAddress })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer and no close from ${localAddress} within ${answerWaitMs} ms`))
    }, answerWaitMs)
    const done = (admitted: boolean) => {
      clearTimeout(timer)
      socket.removeAllListeners('data')
      resolve({ socket, admitted })
    }
    socket.once('connect', () => socket.write(apiVersionsRequest(0, 1)))
    socket.once('data', () => done(true))
    socket.once('close', () => done(false))
    socket.on('error', () => {}) // a refused socket may see ECONNRESET; 'close' follows
  })
}

async function admittedFrom(broker: BrokerProcess, localAddress: string, count: number): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let index = 0; index < count; index++) {
    const result = await attempt(broker, localAddress)
    assert.ok(result.admitted, `connection ${index + 1} from ${localAddress} was refused`)
    sockets.push(result.socket)
  }
  return sockets
}

async function refusedFrom(broker: BrokerProcess, localAddress: string): Promise<void> {
  const result = await attempt(broker, localAddress)
  result.socket.destroy()
  assert.equal(result.admitted, false, `a connection from ${localAddress} was admitted`)
}

/** Retries until a connection is admitted (the broker frees slots when it sees the close). */
async function eventuallyAdmitted(broker: BrokerProcess, localAddress: string): Promise<Socket> {
  for (let tries = 0; tries < 50; tries++) {
    const result = await attempt(broker, localAddress)
    if (result.admitted) return result.socket
    await sleep(100)
  }
  throw new Error(`no slot freed for ${localAddress}`)
}

async function closeAll(sockets: Socket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve()
          socket.once('close', () => resolve())
          socket.destroy()
        }),
    ),
  )
}

describe('connection limits', () => {
  let dir: string
  let broker: BrokerProcess
  const open: Socket[] = []

  before(async () => {
    dir = await makeTempDir('streamline-connlimits-')
    const configFile = join(dir, 'streamline.toml')
    await writeFile(
      configFile,
      [
        '"max.connections" = 7',
        '"max.connections.per.ip" = 3',
        '"max.connections.per.ip.overrides" = "127.0.0.2:5,127.0.0.3:0"',
        '',
      ].join('\n'),
    )
    broker = await startBrokerProcess({ args: ['--config', configFile] })
  })
  after(async () => {
    await closeAll(open)
    await broker?.stop()
    await removeTempDir(dir)
  })

  test('per-IP limit, an override above it, an override of 0, and the total limit', async () => {
    open.push(...(await admittedFrom(broker, '127.0.0.1', 3)))
    await refusedFrom(broker, '127.0.0.1') // max.connections.per.ip = 3
    await refusedFrom(broker, '127.0.0.3') // override 0
    open.push(...(await admittedFrom(broker, '127.0.0.2', 4))) // override 5 > 3; total now 7
    await refusedFrom(broker, '127.0.0.2') // max.connections = 7, although the override allows 5
    // Closing the three from 127.0.0.1 frees their slots: 127.0.0.2 reaches its override of 5.
    await closeAll(open.splice(0, 3))
    open.push(await eventuallyAdmitted(broker, '127.0.0.2'))
    await refusedFrom(broker, '127.0.0.2') // override 5 reached
    assert.ok(broker.isAlive())
  })

  test('a real client works within the limits', async () => {
    await closeAll(open.splice(0))
    const kafka = new Kafka({
      clientId: 'limits',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
    })
    const admin = kafka.admin()
    await admin.connect()
    try {
      const cluster = await admin.describeCluster()
      assert.equal(cluster.brokers.length, 1)
      // DescribeConfigs reports the limits under Kafka's names (broker resource type 4).
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: 4,
            name: '0',
            configNames: ['max.connections', 'max.connections.per.ip', 'max.connections.per.ip.overrides'],
          },
        ],
      })
      assert.deepEqual(
        Object.fromEntries(resources[0].configEntries.map((entry) => [entry.configName, entry.configValue])),
        {
          'max.connections': '7',
          'max.connections.per.ip': '3',
          'max.connections.per.ip.overrides': '127.0.0.2:5,127.0.0.3:0',
        },
      )
    } finally {
      await admin.disconnect()
    }
  })
})
