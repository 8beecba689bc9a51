// HTTP plumbing for the registry workload: keep-alive requests, and an open-loop load at a fixed
// offered rate (requests start on schedule whatever the answers do, so a slow answer shows as
// latency, not as a lower rate; latency is measured from the scheduled start).
import { Agent, request } from 'node:http'

export interface OpenLoopResult {
  achievedPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  failures: number
  samples: number
}

export class RegistryHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 })
  private readonly base: URL

  constructor(base: string) {
    this.base = new URL(base)
  }

  /** The status of `method path` (body drained). */
  call(method: string, path: string, body?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method,
          agent: this.agent,
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
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

  async openLoop(rate: number, seconds: number, next: () => Promise<number>): Promise<OpenLoopResult> {
    const total = Math.max(1, Math.round(rate * seconds))
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
    const elapsedSeconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const at = (quantile: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN
    return {
      achievedPerSec: latencies.length / elapsedSeconds,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: at(1),
      failures,
      samples: latencies.length,
    }
  }

  close(): void {
    this.agent.destroy()
  }
}
