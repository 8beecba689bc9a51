// Helpers for Connect tests: the REST URL a broker process logged ("connect listening"), real `curl`
// for every REST call (as a user following Kafka's documentation would), and bounded waits.
import { execFile } from 'node:child_process'
import type { BrokerProcess } from './broker-process.ts'

/** `http://host:port` of the Connect REST listener of a broker started by startBrokerProcess. */
export function connectUrlOf(broker: BrokerProcess): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"connect listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error(`no "connect listening" line in the broker output:\n${broker.output()}`)
}

export interface CurlAnswer {
  status: number
  /** The parsed JSON body, or null when there was none. */
  body: unknown
  text: string
}

const curlTimeoutSeconds = 60

/** One request with the real curl binary; a JSON body is sent with Content-Type: application/json. */
export function curl(method: string, url: string, body?: unknown): Promise<CurlAnswer> {
  const args = ['-sS', '-X', method, '--max-time', String(curlTimeoutSeconds), '-w', '\n%{http_code}', url]
  if (body !== undefined) {
    args.push(
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      typeof body === 'string' ? body : JSON.stringify(body),
    )
  }
  return new Promise((resolve, reject) => {
    execFile('curl', args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`curl ${method} ${url} failed: ${error.message} ${stderr}`))
      const cut = stdout.lastIndexOf('\n')
      const text = stdout.slice(0, cut)
      const status = Number(stdout.slice(cut + 1))
      let parsed: unknown = null
      if (text.trim() !== '') parsed = JSON.parse(text)
      resolve({ status, body: parsed, text })
    })
  })
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`)
}

/** Waits until the connector and all `tasks` of its tasks report `state`. */
export function waitForState(base: string, name: string, state: string, tasks = 1): Promise<unknown> {
  return waitFor(`${name} ${state}`, async () => {
    const answer = await curl('GET', `${base}/connectors/${name}/status`)
    const status = answer.body as { connector?: { state: string }; tasks?: Array<{ state: string }> }
    const ok =
      status.connector?.state === state &&
      status.tasks?.length === tasks &&
      status.tasks.every((task) => task.state === state)
    return ok ? status : undefined
  })
}

/** A Prometheus /metrics page fetched with curl: each sample's `name{labels}` and its value (+Inf, NaN kept). */
export function scrapeMetrics(url: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--fail', '--max-time', String(curlTimeoutSeconds), url], (error, stdout) => {
      if (error) return reject(new Error(`curl ${url} failed: ${error.message}`))
      const samples = new Map<string, number>()
      for (const line of stdout.split('\n')) {
        if (line === '' || line.startsWith('#')) continue
        const cut = line.lastIndexOf(' ')
        const text = line.slice(cut + 1)
        samples.set(line.slice(0, cut), text === '+Inf' ? Number.POSITIVE_INFINITY : Number(text))
      }
      resolve(samples)
    })
  })
}
