// A lean pipelined load loop over a raw socket, for the alternatives' server limits: the same pre-encoded
// chunk of N commands is written again and again, up to `chunksInFlight` chunks unanswered, and a
// protocol-specific counter turns the reply bytes into a count of answered commands. This is what our
// own lean producer does for Kafka, so neither side is measured through a client's per-call cost
// (the official clients are measured too, as the client view; see redis-streams.ts, nats-jetstream.ts).
import { connect, type Socket } from 'node:net'
import type { AlternativeRun } from './redis-streams.ts'

const connectTimeoutMs = 10_000

/** Consumes reply bytes; returns how many whole replies they completed. Throws on an error reply. */
export type ReplyCounter = (chunk: Buffer) => number

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`connect to 127.0.0.1:${port}: no answer within ${connectTimeoutMs} ms`))
    }, connectTimeoutMs)
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

export interface RawPipelineOptions {
  socket: Socket
  /** N commands, pre-encoded. */
  chunk: Buffer
  commandsPerChunk: number
  chunksInFlight: number
  durationMs: number
  commandsMax: number
  recordBytes: number
  counter: ReplyCounter
}

/** Runs the loop until the duration or the command budget; resolves when every sent chunk is answered. */
export function runRawPipeline(options: RawPipelineOptions): Promise<AlternativeRun> {
  const { socket, chunk, commandsPerChunk } = options
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const deadline = started + options.durationMs
  let sentChunks = 0
  let answered = 0
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null): void => {
      socket.removeAllListeners('data')
      if (error !== null) {
        reject(error)
        return
      }
      const cpu = process.cpuUsage(cpuBefore)
      resolve({
        records: answered,
        bytes: answered * options.recordBytes,
        seconds: (performance.now() - started) / 1000,
        clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
      })
    }
    const sendMore = (): void => {
      while (
        sentChunks - Math.floor(answered / commandsPerChunk) < options.chunksInFlight &&
        performance.now() < deadline &&
        (sentChunks + 1) * commandsPerChunk <= options.commandsMax
      ) {
        sentChunks++
        socket.write(chunk)
      }
    }
    socket.on('data', (data: Buffer) => {
      try {
        answered += options.counter(data)
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)))
        return
      }
      if (
        answered >= sentChunks * commandsPerChunk &&
        (performance.now() >= deadline || (sentChunks + 1) * commandsPerChunk > options.commandsMax)
      ) {
        finish(null)
        return
      }
      sendMore()
    })
    socket.once('close', () => finish(new Error('the server closed the connection')))
    sendMore()
  })
}

/** Bytes of `pending` + `chunk` as one buffer (replies may span socket chunks). */
export function joinPending(pending: Buffer | null, chunk: Buffer): Buffer {
  return pending === null || pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
}
