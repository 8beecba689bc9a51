// NATS JetStream publish at the server's limit: core-protocol PUB commands with a reply subject (which
// is what a JetStream publish is: the stream answers each with a PubAck), pre-encoded in chunks of 100
// and written raw (raw-pipeline.ts) with 1,000 publishes awaiting acks, as nats.js's async publish does
// but without its per-message cost. Acks are counted; one carrying an error fails the run.
import type { Socket } from 'node:net'
import { joinPending, openSocket, type ReplyCounter, runRawPipeline } from './raw-pipeline.ts'
import type { AlternativeRun } from './redis-streams.ts'

const publishesPerChunk = 100
const chunksInFlight = 10
const ackSubject = '_INBOX.bench.acks'
const handshakeTimeoutMs = 10_000
const crlf = Buffer.from('\r\n')

/** CONNECT, SUB to the ack subject, PING; resolves on the PONG. */
async function handshake(socket: Socket): Promise<void> {
  const connectOptions = { verbose: false, pedantic: false, headers: true, no_responders: true, protocol: 1 }
  socket.write(`CONNECT ${JSON.stringify(connectOptions)}\r\nSUB ${ackSubject} 1\r\nPING\r\n`)
  await new Promise<void>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(
      () => done(new Error(`NATS: no PONG within ${handshakeTimeoutMs} ms`)),
      handshakeTimeoutMs,
    )
    const onData = (data: Buffer): void => {
      text += data.toString('utf8')
      if (text.includes('-ERR')) done(new Error(`NATS: ${text.trim()}`))
      else if (text.includes('PONG\r\n')) done(null)
    }
    const done = (error: Error | null): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      if (error === null) resolve()
      else reject(error)
    }
    socket.on('data', onData)
  })
}

/** Counts `MSG <subject> <sid> <bytes>` acks; answers server PINGs; an error ack or -ERR throws. */
function ackCounter(socket: Socket): ReplyCounter {
  let pending: Buffer | null = null
  return (chunk) => {
    const buffer = joinPending(pending, chunk)
    let position = 0
    let count = 0
    for (;;) {
      const lineEnd = buffer.indexOf(crlf, position)
      if (lineEnd < 0) break
      const line = buffer.toString('latin1', position, lineEnd)
      if (line.startsWith('MSG ')) {
        const length = Number(line.slice(line.lastIndexOf(' ') + 1))
        const end = lineEnd + 2 + length + 2
        if (end > buffer.length) break
        const ack = buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length)
        if (ack.includes('"error"')) throw new Error(`JetStream publish: ${ack}`)
        position = end
        count++
        continue
      }
      if (line.startsWith('-ERR') || line.startsWith('HMSG')) throw new Error(`NATS: ${line}`)
      if (line === 'PING') socket.write('PONG\r\n')
      position = lineEnd + 2 // PING, PONG, +OK, INFO
    }
    pending = buffer.subarray(position)
    return count
  }
}

export async function natsPublishLean(
  port: number,
  subject: string,
  options: { recordBytes: number; durationMs: number; recordsMax: number },
): Promise<AlternativeRun> {
  const payload = Buffer.alloc(options.recordBytes, 0x61)
  const publish = Buffer.concat([
    Buffer.from(`PUB ${subject} ${ackSubject} ${payload.length}\r\n`),
    payload,
    crlf,
  ])
  const chunk = Buffer.concat(Array.from({ length: publishesPerChunk }, () => publish))
  const socket = await openSocket(port)
  try {
    await handshake(socket)
    return await runRawPipeline({
      socket,
      chunk,
      commandsPerChunk: publishesPerChunk,
      chunksInFlight,
      durationMs: options.durationMs,
      commandsMax: options.recordsMax,
      recordBytes: options.recordBytes,
      counter: ackCounter(socket),
    })
  } finally {
    socket.destroy()
  }
}
