// Records the request frames real clients send, as golden fixtures for the protocol decoders.
//
// Re-run the capture (from the repository root; needs kcat on PATH and npm dependencies):
//
//   node --import tsx scripts/capture-wire.ts
//
// This starts the broker (the CLI, on a free port, temporary data dir) advertising the address of a
// recording proxy, so that every connection a client opens after bootstrap also goes through the
// proxy. It then runs each scenario below through the proxy and writes, per client, each request
// frame (without its 4-byte size prefix) to
//   test/fixtures/wire/<client>/<api-name>-v<version>-request.bin
// The first frame of each API/version in a run wins; files from earlier runs are overwritten.
// Scenarios that fail (e.g. produce before the broker supports it) are reported and skipped.
//
//   node --import tsx scripts/capture-wire.ts --data        # also kcat produce + consume
//   node --import tsx scripts/capture-wire.ts --proxy-only --client NAME \
//        --listen 127.0.0.1:19092 --target 127.0.0.1:9092  # just the proxy, for any client
//
// With --proxy-only, start the broker with `--advertised-addr 127.0.0.1:19092` (the proxy's
// address), point the client at the proxy, and stop the proxy with Ctrl-C.
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { startBrokerProcess } from '../test/helpers/broker-process.ts'
import { apiName, kebabCase } from './protocol-gen/names.ts'

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const fixturesDir = join(repositoryRoot, 'test', 'fixtures', 'wire')
const defaultSpecDir = resolve(repositoryRoot, '..', 'shared', 'kafka-spec')
const frameBytesMax = 100 * 1024 * 1024
const scenarioTimeoutMs = 30_000
const run = promisify(execFile)

/** "metadata", "api-versions", … by API key, from the spec's *Request.json files. */
function readApiNames(specDir: string): Map<number, string> {
  const names = new Map<number, string>()
  const messagesDir = join(specDir, 'messages')
  for (const file of readdirSync(messagesDir).filter((name) => name.endsWith('Request.json'))) {
    const text = readFileSync(join(messagesDir, file), 'utf8')
    const withoutComments = text
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//'))
      .join('\n')
    const spec = JSON.parse(withoutComments) as { apiKey?: number; name: string; type: string }
    if (spec.type === 'request' && spec.apiKey !== undefined)
      names.set(spec.apiKey, kebabCase(apiName(spec.name)))
  }
  return names
}

/** Splits one direction of a connection into frames (size prefix removed). */
class FrameCollector {
  #pending: Buffer = Buffer.alloc(0)
  constructor(readonly onFrame: (frame: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk])
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0)
      if (size < 0 || size > frameBytesMax) throw new RangeError(`frame size ${size} out of range`)
      if (this.#pending.length < 4 + size) return
      this.onFrame(Buffer.from(this.#pending.subarray(4, 4 + size)))
      this.#pending = this.#pending.subarray(4 + size)
    }
  }
}

class Recorder {
  client = 'unknown'
  readonly written = new Map<string, string[]>() // client → file names, this run
  constructor(readonly apiNames: Map<number, string>) {}

  record(frame: Buffer): void {
    if (frame.length < 4) return
    const apiKey = frame.readInt16BE(0)
    const apiVersion = frame.readInt16BE(2)
    const name = this.apiNames.get(apiKey) ?? `api-${apiKey}`
    const fileName = `${name}-v${apiVersion}-request.bin`
    const files = this.written.get(this.client) ?? []
    if (files.includes(fileName)) return // the first frame per API/version wins
    files.push(fileName)
    this.written.set(this.client, files)
    const dir = join(fixturesDir, this.client)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, fileName), frame)
  }
}

function startProxy(
  listen: { host: string; port: number },
  target: () => { host: string; port: number },
  recorder: Recorder,
): Promise<Server> {
  const server = createServer((downstream: Socket) => {
    const { host, port } = target()
    const upstream = connect({ host, port })
    const collector = new FrameCollector((frame) => recorder.record(frame))
    downstream.on('data', (chunk: Buffer) => {
      try {
        collector.push(chunk)
      } catch (error) {
        console.error(`capture: ${String(error)}; closing this connection`)
        downstream.destroy()
        upstream.destroy()
        return
      }
      upstream.write(chunk)
    })
    upstream.pipe(downstream)
    downstream.on('end', () => upstream.end())
    downstream.on('error', () => upstream.destroy())
    upstream.on('error', () => downstream.destroy())
  })
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => resolvePromise(server))
  })
}

function parseAddress(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':')
  const port = Number(text.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port)) throw new Error(`expected host:port, got ${text}`)
  return { host: text.slice(0, colon), port }
}

interface Scenario {
  client: string
  name: string
  run(bootstrap: string): Promise<void>
}

async function withKafkajsAdmin(
  bootstrap: string,
  action: (admin: ReturnType<Kafka['admin']>) => Promise<void>,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'capture-wire',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await action(admin)
  } finally {
    await admin.disconnect()
  }
}

function scenarios(withData: boolean): Scenario[] {
  const kcat = (args: string[], input?: string) => async (bootstrap: string) => {
    // message.timeout.ms: an undeliverable message fails kcat -P (exit 1) well before our timeout.
    const bounded = ['-b', bootstrap, '-m', '10', '-X', 'message.timeout.ms=10000', ...args]
    const child = run('kcat', bounded, { timeout: scenarioTimeoutMs })
    if (input !== undefined) child.child.stdin?.end(input)
    await child
    // kcat exits 0 on SIGTERM, so a run stopped by our timeout would otherwise look like success.
    if (child.child.killed) throw new Error(`kcat ${args.join(' ')} timed out after ${scenarioTimeoutMs} ms`)
  }
  const list: Scenario[] = [
    { client: 'kcat', name: 'kcat -L', run: kcat(['-L']) },
    {
      client: 'kafkajs',
      name: 'admin.describeCluster()',
      run: (bootstrap) => withKafkajsAdmin(bootstrap, async (admin) => void (await admin.describeCluster())),
    },
    {
      client: 'kafkajs',
      name: 'admin.listTopics()',
      run: (bootstrap) => withKafkajsAdmin(bootstrap, async (admin) => void (await admin.listTopics())),
    },
  ]
  if (withData) {
    list.push(
      { client: 'kcat', name: 'kcat -P', run: kcat(['-P', '-t', 'capture-wire', '-k', 'k'], 'one\ntwo\n') },
      {
        client: 'kcat',
        name: 'kcat -C',
        run: kcat(['-C', '-t', 'capture-wire', '-o', 'beginning', '-c', '2', '-e']),
      },
    )
  }
  return list
}

async function captureAll(recorder: Recorder, withData: boolean): Promise<boolean> {
  let brokerAddress = { host: '127.0.0.1', port: 0 }
  const proxy = await startProxy({ host: '127.0.0.1', port: 0 }, () => brokerAddress, recorder)
  const proxyAddress = proxy.address()
  if (proxyAddress === null || typeof proxyAddress === 'string') throw new Error('proxy has no TCP address')
  const bootstrap = `127.0.0.1:${proxyAddress.port}`
  const broker = await startBrokerProcess({ args: ['--advertised-addr', bootstrap] })
  brokerAddress = { host: broker.host, port: broker.port }
  let allPassed = true
  try {
    for (const scenario of scenarios(withData)) {
      recorder.client = scenario.client
      try {
        await scenario.run(bootstrap)
        console.log(`ok    ${scenario.client}: ${scenario.name}`)
      } catch (error) {
        allPassed = false
        console.log(
          `FAIL  ${scenario.client}: ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
  } finally {
    await broker.stop()
    await new Promise<void>((resolvePromise) => proxy.close(() => resolvePromise()))
  }
  return allPassed
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'proxy-only': { type: 'boolean', default: false },
      client: { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1:19092' },
      target: { type: 'string', default: '127.0.0.1:9092' },
      spec: { type: 'string', default: defaultSpecDir },
      data: { type: 'boolean', default: false },
    },
  })
  const recorder = new Recorder(readApiNames(values.spec))
  if (values['proxy-only']) {
    if (values.client === undefined) throw new Error('--proxy-only needs --client NAME (the fixture folder)')
    recorder.client = values.client
    const target = parseAddress(values.target)
    await startProxy(parseAddress(values.listen), () => target, recorder)
    console.log(`recording ${values.client} on ${values.listen} → ${values.target}; Ctrl-C to stop`)
    await new Promise<void>((resolvePromise) => process.once('SIGINT', () => resolvePromise()))
  }
  const allPassed = values['proxy-only'] || (await captureAll(recorder, values.data))
  for (const [client, files] of recorder.written) {
    console.log(`${client}: ${files.sort().join(', ')}`)
  }
  return allPassed ? 0 : 1
}

// Exit explicitly: in --proxy-only mode the proxy server would keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
