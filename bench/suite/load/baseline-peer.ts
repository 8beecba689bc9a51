// The far end of the baselines, run as its own process (forked by workloads/baselines.ts) so the
// baselines have the broker's shape: load generator in the bench process, the byte mover in another.
// It takes one command at a time over the IPC channel, opens a listener on a free port for it, serves
// exactly one connection and answers with what it measured:
//
// - `discard`: read the socket and drop the bytes (the loopback network limit of our runtime);
// - `file`: write what arrives to a file, as it arrives (all queued chunks in one writev), optionally
//   with an fdatasync every `syncEveryBytes` (the ingest limit, without and with durability);
// - `prepare-file` then `source`: write a file, then read it sequentially in `chunkBytes` reads and send
//   it to the connection (the fetch limit); the bench process measures the receiving side.
import { type FileHandle, open } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { drained } from './socket-drain.ts'

export type PeerCommand =
  | { kind: 'discard' }
  | { kind: 'file'; path: string; syncEveryBytes: number }
  | { kind: 'prepare-file'; path: string; bytes: number; chunkBytes: number }
  | { kind: 'source'; path: string; chunkBytes: number }

export type PeerReply =
  | { kind: 'listening'; port: number }
  | { kind: 'done'; bytes: number; elapsedMs: number; syncs: number; syncMsTotal: number; syncMsMax: number }
  | { kind: 'prepared'; bytes: number }
  | { kind: 'failed'; message: string }

type PeerResult = Omit<Extract<PeerReply, { kind: 'done' }>, 'kind'>

/** Pause reading once this much is queued for the file (the same bound a broker's buffers would give). */
const queuedBytesMax = 16 * 1024 * 1024

function reply(message: PeerReply): void {
  process.send?.(message)
}

/** Listens on a free loopback port, announces it, and hands the first connection over. */
function serveOne(handle: (socket: Socket) => Promise<PeerResult>): void {
  const server: Server = createServer({ noDelay: true }, (socket) => {
    server.close()
    handle(socket).then(
      (result) => reply({ kind: 'done', ...result }),
      (error: unknown) => reply({ kind: 'failed', message: String(error) }),
    )
  })
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    if (address !== null && typeof address === 'object') reply({ kind: 'listening', port: address.port })
  })
}

function discard(socket: Socket): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    let bytes = 0
    let firstMs = 0
    socket.on('data', (chunk: Buffer) => {
      if (bytes === 0) firstMs = performance.now()
      bytes += chunk.length
    })
    socket.once('error', reject)
    socket.once('end', () => {
      resolve({ bytes, elapsedMs: performance.now() - firstMs, syncs: 0, syncMsTotal: 0, syncMsMax: 0 })
      socket.end()
    })
  })
}

/** Socket to file: a writer loop drains the queue with writev; reading pauses when the queue is full. */
async function toFile(socket: Socket, path: string, syncEveryBytes: number): Promise<PeerResult> {
  const file = await open(path, 'w')
  const queue: Buffer[] = []
  let queuedBytes = 0
  let bytes = 0
  let unsyncedBytes = 0
  let firstMs = 0
  let ended = false
  let wake: (() => void) | null = null
  const stats = { syncs: 0, syncMsTotal: 0, syncMsMax: 0 }
  socket.on('data', (chunk: Buffer) => {
    if (bytes + queuedBytes === 0) firstMs = performance.now()
    queue.push(chunk)
    queuedBytes += chunk.length
    if (queuedBytes >= queuedBytesMax) socket.pause()
    wake?.()
  })
  const endedOrError = new Promise<void>((resolve, reject) => {
    socket.once('end', () => {
      ended = true
      wake?.()
      resolve()
    })
    socket.once('error', reject)
  })
  endedOrError.catch(() => {}) // observed below; keeps a socket error from being unhandled meanwhile
  try {
    for (;;) {
      if (queue.length === 0) {
        if (ended) break
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = null
        continue
      }
      const chunks = queue.splice(0)
      const length = queuedBytes
      queuedBytes = 0
      socket.resume()
      await writeAll(file, chunks, length)
      bytes += length
      unsyncedBytes += length
      if (syncEveryBytes > 0 && unsyncedBytes >= syncEveryBytes)
        await syncFile(file, stats, () => (unsyncedBytes = 0))
    }
    if (syncEveryBytes > 0 && unsyncedBytes > 0) await syncFile(file, stats, () => (unsyncedBytes = 0))
    await endedOrError
    socket.end()
    return { bytes, elapsedMs: performance.now() - firstMs, ...stats }
  } finally {
    await file.close()
  }
}

async function writeAll(file: FileHandle, chunks: Buffer[], length: number): Promise<void> {
  const { bytesWritten } = await file.writev(chunks)
  if (bytesWritten === length) return
  // A short writev is rare (a signal, a full disk): finish with plain writes at the file position.
  let rest = Buffer.concat(chunks, length).subarray(bytesWritten)
  while (rest.length > 0) rest = rest.subarray((await file.write(rest)).bytesWritten)
}

async function syncFile(
  file: FileHandle,
  stats: { syncs: number; syncMsTotal: number; syncMsMax: number },
  reset: () => void,
): Promise<void> {
  const started = performance.now()
  await file.datasync()
  const tookMs = performance.now() - started
  stats.syncs += 1
  stats.syncMsTotal += tookMs
  stats.syncMsMax = Math.max(stats.syncMsMax, tookMs)
  reset()
}

async function prepareFile(path: string, bytes: number, chunkBytes: number): Promise<number> {
  const file = await open(path, 'w')
  try {
    const chunk = Buffer.alloc(chunkBytes, 0x61)
    for (let written = 0; written < bytes; written += chunkBytes) await file.write(chunk)
  } finally {
    await file.close()
  }
  return Math.ceil(bytes / chunkBytes) * chunkBytes
}

/** File to socket: sequential reads into fresh buffers (a buffer stays owned by the socket until sent). */
async function source(socket: Socket, path: string, chunkBytes: number): Promise<PeerResult> {
  const file = await open(path, 'r')
  let bytes = 0
  const started = performance.now()
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes)
      const { bytesRead } = await file.read(buffer, 0, chunkBytes, bytes)
      if (bytesRead === 0) break
      bytes += bytesRead
      if (!socket.write(bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead))) {
        await drained(socket)
      }
    }
  } finally {
    await file.close()
  }
  await new Promise<void>((resolve) => socket.end(resolve))
  return { bytes, elapsedMs: performance.now() - started, syncs: 0, syncMsTotal: 0, syncMsMax: 0 }
}

function handle(command: PeerCommand): void {
  switch (command.kind) {
    case 'discard':
      serveOne((socket) => discard(socket))
      break
    case 'file':
      serveOne((socket) => toFile(socket, command.path, command.syncEveryBytes))
      break
    case 'source':
      serveOne((socket) => source(socket, command.path, command.chunkBytes))
      break
    case 'prepare-file':
      prepareFile(command.path, command.bytes, command.chunkBytes).then(
        (bytes) => reply({ kind: 'prepared', bytes }),
        (error: unknown) => reply({ kind: 'failed', message: String(error) }),
      )
  }
}

process.on('message', (message) => handle(message as PeerCommand))
// The parent going away closes the IPC channel: leave with it.
process.on('disconnect', () => process.exit(0))
