// Redis Streams XADD at the server's limit: RESP commands pre-encoded in pipelines of 1,000 and written
// raw (raw-pipeline.ts), the way redis-benchmark -P drives a server; replies are counted, not decoded.
import { joinPending, openSocket, type ReplyCounter, runRawPipeline } from './raw-pipeline.ts'
import type { AlternativeRun } from './redis-streams.ts'

const commandsPerPipeline = 1000
const pipelinesInFlight = 4
const crlf = Buffer.from('\r\n')

function bulk(value: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, crlf])
}

/** `XADD key * v <value>` as RESP. */
function xaddCommand(key: string, value: Buffer): Buffer {
  const parts = [Buffer.from('XADD'), Buffer.from(key), Buffer.from('*'), Buffer.from('v'), value]
  return Buffer.concat([Buffer.from(`*${parts.length}\r\n`), ...parts.map(bulk)])
}

/** Counts RESP bulk-string replies (XADD answers the new entry id); an error reply throws. */
function bulkReplyCounter(): ReplyCounter {
  let pending: Buffer | null = null
  return (chunk) => {
    const buffer = joinPending(pending, chunk)
    let position = 0
    let count = 0
    for (;;) {
      const lineEnd = buffer.indexOf(crlf, position)
      if (lineEnd < 0) break
      const type = buffer[position]
      if (type === 0x2d) throw new Error(`Redis: ${buffer.toString('utf8', position + 1, lineEnd)}`) // '-'
      if (type !== 0x24) throw new Error(`Redis: unexpected reply type ${String.fromCharCode(type)}`) // '$'
      const length = Number(buffer.toString('latin1', position + 1, lineEnd))
      const end = lineEnd + 2 + Math.max(0, length) + (length >= 0 ? 2 : 0)
      if (end > buffer.length) break
      position = end
      count++
    }
    pending = buffer.subarray(position)
    return count
  }
}

export async function redisXaddLean(
  port: number,
  key: string,
  options: { recordBytes: number; durationMs: number; recordsMax: number },
): Promise<AlternativeRun> {
  const command = xaddCommand(key, Buffer.alloc(options.recordBytes, 0x61))
  const chunk = Buffer.concat(Array.from({ length: commandsPerPipeline }, () => command))
  const socket = await openSocket(port)
  try {
    return await runRawPipeline({
      socket,
      chunk,
      commandsPerChunk: commandsPerPipeline,
      chunksInFlight: pipelinesInFlight,
      durationMs: options.durationMs,
      commandsMax: options.recordsMax,
      recordBytes: options.recordBytes,
      counter: bulkReplyCounter(),
    })
  } finally {
    socket.destroy()
  }
}
