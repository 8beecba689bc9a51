// Schema registry benchmark (issue 15): registration rate, RSS with 10,000 schemas above the idle
// broker, and GET /schemas/ids/{id} and POST /subjects/{subject} (lookup) latency at a fixed offered
// rate on keep-alive connections (target: p99 under 2 ms at 5,000 req/s; RSS under 30 MB above idle).
//
//   node --import tsx bench/registry.ts [--schemas 10000] [--rate 5000] [--seconds 3]
//
// Method: the CLI broker as a child process (disk log, free ports). RSS is the child's VmRSS from
// /proc. Load is open-loop: requests start on a fixed schedule whatever the answers do, so a slow
// answer shows as latency, not as a lower rate; latency is measured from the scheduled start.
import { readFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { parseArgs } from 'node:util'
import { startBrokerProcess } from '../test/helpers/broker-process.ts'

const { values: flags } = parseArgs({
  options: {
    schemas: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '3' },
  },
})
const schemaCount = Number(flags.schemas)
const rate = Number(flags.rate)
const seconds = Number(flags.seconds)
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function call(base: string, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base)
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN')
  return Math.round((kib / 1024) * 10) / 10
}

const schemaOf = (n: number): string =>
  JSON.stringify({
    type: 'record',
    name: `Bench${n}`,
    fields: [
      { name: 'id', type: 'long' },
      { name: 'payload', type: 'string' },
    ],
  })

async function openLoop(label: string, next: () => Promise<number>): Promise<void> {
  const total = rate * seconds
  const latencies: number[] = []
  let failures = 0
  const started = performance.now()
  const pending: Promise<void>[] = []
  for (let index = 0; index < total; index++) {
    const scheduled = started + (index * 1000) / rate
    const wait = scheduled - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    pending.push(
      next().then(
        (status) => {
          if (status !== 200) failures++
          latencies.push(performance.now() - scheduled)
        },
        () => {
          failures++
        },
      ),
    )
  }
  await Promise.all(pending)
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number): string =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(2)
  console.log(
    `${label}: ${Math.round(latencies.length / elapsed)} req/s achieved (offered ${rate}), p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms, failures ${failures}`,
  )
}

const broker = await startBrokerProcess()
try {
  const base = broker.registryUrl ?? ''
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const idle = await rssMiB(broker.pid)
  await call(base, 'PUT', '/config', JSON.stringify({ compatibility: 'NONE' }))
  const loaded = await rssMiB(broker.pid)
  const registerStart = performance.now()
  let next = 0
  const workers = Array.from({ length: 8 }, async () => {
    for (let n = next++; n < schemaCount; n = next++) {
      const status = await call(
        base,
        'POST',
        `/subjects/bench-${n % 100}/versions`,
        JSON.stringify({ schema: schemaOf(n) }),
      )
      if (status !== 200) throw new Error(`registration ${n} answered ${status}`)
    }
  })
  await Promise.all(workers)
  const registerSeconds = (performance.now() - registerStart) / 1000
  global.gc?.()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const full = await rssMiB(broker.pid)
  console.log(
    `registration: ${schemaCount} schemas in ${registerSeconds.toFixed(1)} s (${Math.round(schemaCount / registerSeconds)}/s, 8 clients, each durable)`,
  )
  console.log(
    `RSS: idle broker ${idle} MiB, registry loaded ${loaded} MiB, with ${schemaCount} schemas ${full} MiB (+${(full - idle).toFixed(1)} MiB above idle)`,
  )
  await openLoop('GET /schemas/ids/{id}', () =>
    call(base, 'GET', `/schemas/ids/${1 + Math.floor(Math.random() * schemaCount)}`),
  )
  await openLoop('POST /subjects/{subject} (lookup)', () => {
    const n = Math.floor(Math.random() * schemaCount)
    return call(base, 'POST', `/subjects/bench-${n % 100}`, JSON.stringify({ schema: schemaOf(n) }))
  })
} finally {
  agent.destroy()
  await broker.stop()
}
