// The registry workload's C load generator (native/http-open-loop.c, built by load/native-build.ts) as
// one long-lived process per server: each open loop is a line on its stdin naming a file of the
// phase's requests (written here, in the order they are sent: the same random picks over the same
// requests as the Node generator's requestMaker), and its answer is a line of JSON on stdout plus a
// file of (scheduled offset, latency) float64 pairs, summarized here as the Node generator's are.
// The process keeps its keep-alive connections from one phase to the next.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { type OpenLoopResult, summarizeOpenLoop } from './open-loop-result.ts'
import { httpRequestBytes } from './registry-http.ts'
import type { LoadGenerator } from './registry-load.ts'
import { type OpenLoopCommand, phaseRequests } from './registry-requests.ts'

/** Seconds a phase may run past its last scheduled request before the generator gives up (exit 3). */
const graceSeconds = 10

interface PhaseLine {
  answered: number
  failures: number
  elapsedMs: number
  cpuMicros: number
  lateSends: number
  sendLagMaxMs: number
  firstFailure: string
}

/** The phase's requests in sending order, each as a little-endian u32 length and its bytes. */
function requestsFile(requests: Buffer[], total: number): Buffer {
  const picks = Array.from({ length: total }, () => requests[Math.floor(Math.random() * requests.length)])
  const file = Buffer.allocUnsafe(picks.reduce((size, request) => size + 4 + request.length, 0))
  let at = 0
  for (const request of picks) {
    at = file.writeUInt32LE(request.length, at)
    at += request.copy(file, at)
  }
  return file
}

export class NativeLoadProcess implements LoadGenerator {
  private readonly child: ChildProcess
  private readonly exited: Promise<void>
  private readonly host: string
  private readonly port: number
  private stderr = ''
  private waiting: { resolve(line: string): void; reject(error: Error): void } | null = null
  private phases = 0

  constructor(
    binary: string,
    base: string,
    private readonly scratchDir: string,
  ) {
    const url = new URL(base)
    this.host = url.hostname
    this.port = Number(url.port)
    this.child = spawn(binary, [this.host, String(this.port)], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text
    })
    if (this.child.stdout === null) throw new Error('the C load generator has no stdout')
    // A write to a generator that has exited fails its phase through the exit (below), not here.
    this.child.stdin?.on('error', () => {})
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiting = this.waiting
      this.waiting = null
      waiting?.resolve(line)
    })
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        const waiting = this.waiting
        this.waiting = null
        waiting?.reject(
          new Error(`the C load generator exited (${code ?? signal}) mid-phase: ${this.stderr.trim()}`),
        )
        resolve()
      }),
    )
  }

  async openLoop(command: OpenLoopCommand): Promise<OpenLoopResult> {
    if (this.child.exitCode !== null || this.child.signalCode !== null)
      throw new Error(`the C load generator has exited: ${this.stderr.trim()}`)
    const total = Math.max(1, Math.round(command.rate * command.seconds))
    const phase = this.phases++
    const requestsPath = join(this.scratchDir, `http-open-loop-${this.child.pid}-${phase}.requests`)
    const outPath = join(this.scratchDir, `http-open-loop-${this.child.pid}-${phase}.out`)
    const requests = phaseRequests(
      (method, path, body) => httpRequestBytes(this.host, this.port, method, path, body),
      command,
    )
    await writeFile(requestsPath, requestsFile(requests, total))
    try {
      const line = await new Promise<string>((resolve, reject) => {
        this.waiting = { resolve, reject }
        this.child.stdin?.write(`${requestsPath} ${command.rate} ${total} ${graceSeconds} ${outPath}\n`)
      })
      const result = JSON.parse(line) as PhaseLine
      const samples = await readFile(outPath)
      const offsets = new Float64Array(result.answered)
      const latencies = new Float64Array(result.answered)
      const fromSend = new Float64Array(result.answered)
      for (let index = 0; index < result.answered; index++) {
        offsets[index] = samples.readDoubleLE(24 * index)
        latencies[index] = samples.readDoubleLE(24 * index + 8)
        fromSend[index] = samples.readDoubleLE(24 * index + 16)
      }
      fromSend.sort()
      return {
        ...summarizeOpenLoop({
          offsets,
          latencies,
          failures: result.failures,
          total,
          elapsedSeconds: result.elapsedMs / 1000,
          cpuMicros: result.cpuMicros,
        }),
        fromSendP99Ms:
          fromSend[Math.min(fromSend.length - 1, Math.floor(0.99 * fromSend.length))] ?? Number.NaN,
        lateSends: result.lateSends,
        sendLagMaxMs: result.sendLagMaxMs,
        firstFailure: result.firstFailure,
      }
    } finally {
      await rm(requestsPath, { force: true })
      await rm(outPath, { force: true })
    }
  }

  async close(): Promise<void> {
    this.child.stdin?.end()
    await this.exited
  }
}
