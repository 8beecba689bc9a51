// Baselines: what this machine and runtime can do with no broker logic at all, measured in the same run
// so the broker's numbers can be read as ratios. Same topology as a broker run: the sender (or
// receiver) runs here, the byte mover in a separate Node process (load/baseline-peer.ts), over loopback
// TCP, in 1 MiB chunks (the largest produce batch).
//
// - socket-to-socket: send to a peer that drops the bytes (the network limit of our runtime);
// - socket-to-file: the peer writes what arrives to a file as it arrives (the ingest limit), and again
//   with an fdatasync every 4 MiB (durable ingest; the fsync latency is recorded too);
// - file-to-socket: the peer reads a file sequentially and sends it here (the fetch limit).
// Each runs for phaseSeconds or phaseBytesMax, whichever comes first.
import { type ChildProcess, fork } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PeerCommand, PeerReply } from '../load/baseline-peer.ts'
import { drained } from '../load/socket-drain.ts'
import { chunkBytes, megabytesPerSecond, phaseBytesMax, settleDisk } from '../phase.ts'
import type { BenchContext, Workload } from '../types.ts'

const peerScript = fileURLToPath(new URL('../load/baseline-peer.ts', import.meta.url))
const replyTimeoutMs = 120_000
const syncEveryBytes = 4 * 1024 * 1024
/** The fetch baseline's file: the 1 GiB catch-up read (smaller with --quick). */
const sourceFileBytesFull = 1024 * 1024 * 1024

type DoneReply = Extract<PeerReply, { kind: 'done' }>

class Peer {
  readonly #child: ChildProcess
  readonly #replies: PeerReply[] = []
  #notify: (() => void) | null = null

  constructor() {
    this.#child = fork(peerScript, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.#child.on('message', (message) => {
      this.#replies.push(message as PeerReply)
      this.#notify?.()
    })
    this.#child.on('exit', () => this.#notify?.())
  }

  send(command: PeerCommand): void {
    this.#child.send(command)
  }

  /** The next reply; a `failed` reply or an exited peer rejects. */
  async next<K extends PeerReply['kind']>(kind: K): Promise<Extract<PeerReply, { kind: K }>> {
    const deadline = performance.now() + replyTimeoutMs
    while (this.#replies.length === 0) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null)
        throw new Error('baseline peer exited')
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`baseline peer: no '${kind}' reply within ${replyTimeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#notify = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#notify = null
    }
    const reply = this.#replies.shift() as PeerReply
    if (reply.kind === 'failed') throw new Error(`baseline peer: ${reply.message}`)
    if (reply.kind !== kind) throw new Error(`baseline peer: expected '${kind}', got '${reply.kind}'`)
    return reply as Extract<PeerReply, { kind: K }>
  }

  stop(): void {
    if (this.#child.connected) this.#child.disconnect() // the peer exits when its channel closes
    setTimeout(() => this.#child.kill('SIGKILL'), 5_000).unref()
  }
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true })
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Sends 1 MiB chunks (one buffer, never modified) until the phase ends, then closes the sending side. */
async function sendFor(socket: Socket, durationMs: number, bytesMax: number): Promise<void> {
  const chunk = Buffer.alloc(chunkBytes, 0x62)
  const endAt = performance.now() + durationMs
  let sent = 0
  socket.on('error', () => {}) // surfaced by drained() or by the peer's reply
  while (performance.now() < endAt && sent < bytesMax) {
    sent += chunk.length
    if (!socket.write(chunk)) await drained(socket)
  }
  socket.end()
}

/** One sending phase against a peer command; returns what the peer measured. */
async function sendPhase(peer: Peer, command: PeerCommand, context: BenchContext): Promise<DoneReply> {
  peer.send(command)
  const { port } = await peer.next('listening')
  const socket = await connectTo(port)
  await sendFor(socket, context.options.phaseSeconds * 1000, phaseBytesMax(context.options))
  return peer.next('done')
}

/** Receives the peer's file until the peer closes; measured here, on the receiving side. */
async function receivePhase(peer: Peer, path: string): Promise<{ bytes: number; elapsedMs: number }> {
  peer.send({ kind: 'source', path, chunkBytes })
  const { port } = await peer.next('listening')
  const started = performance.now()
  const socket = await connectTo(port)
  const bytes = await new Promise<number>((resolve, reject) => {
    let received = 0
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    socket.once('end', () => resolve(received))
    socket.once('error', reject)
  })
  const elapsedMs = performance.now() - started
  socket.destroy()
  await peer.next('done')
  return { bytes, elapsedMs }
}

function recordRate(
  context: BenchContext,
  id: string,
  label: string,
  result: { bytes: number; elapsedMs: number },
): void {
  context.record({
    id: `baseline.${id}.mbPerSec`,
    label,
    value: megabytesPerSecond(result.bytes, result.elapsedMs),
    unit: 'MB/s',
    details: { bytes: result.bytes, elapsedMs: Math.round(result.elapsedMs), chunkBytes },
  })
}

async function runBaselines(context: BenchContext, peer: Peer): Promise<void> {
  const scratch = context.options.scratchDir
  context.log('baseline: socket to socket')
  recordRate(
    context,
    'socket-to-socket',
    'Node socket → socket, loopback',
    await sendPhase(peer, { kind: 'discard' }, context),
  )

  await settleDisk()
  context.log('baseline: socket to file')
  const toFile = await sendPhase(
    peer,
    { kind: 'file', path: join(scratch, 'baseline-ingest.bin'), syncEveryBytes: 0 },
    context,
  )
  recordRate(context, 'socket-to-file', 'Node socket → file (writes as they arrive)', toFile)

  await settleDisk()
  context.log('baseline: socket to file, fdatasync every 4 MiB')
  const durable = await sendPhase(
    peer,
    { kind: 'file', path: join(scratch, 'baseline-durable.bin'), syncEveryBytes },
    context,
  )
  recordRate(context, 'socket-to-file-fdatasync', 'Node socket → file, fdatasync every 4 MiB', durable)
  context.record({
    id: 'baseline.fdatasync-4mib.meanMs',
    label: 'fdatasync of 4 MiB just written (mean)',
    value: durable.syncs === 0 ? Number.NaN : durable.syncMsTotal / durable.syncs,
    unit: 'ms',
    details: { syncs: durable.syncs, maxMs: Number(durable.syncMsMax.toFixed(3)) },
  })

  await settleDisk()
  const sourcePath = join(scratch, 'baseline-source.bin')
  const sourceBytes = context.options.quick ? phaseBytesMax(context.options) : sourceFileBytesFull
  context.log(`baseline: file to socket (${sourceBytes / 1024 / 1024} MiB file, read from the page cache)`)
  peer.send({ kind: 'prepare-file', path: sourcePath, bytes: sourceBytes, chunkBytes })
  await peer.next('prepared')
  recordRate(
    context,
    'file-to-socket',
    'Node file → socket (sequential read)',
    await receivePhase(peer, sourcePath),
  )
}

export const baselines: Workload = {
  name: 'baselines',
  order: 10,
  async run(context) {
    const peer = new Peer()
    try {
      await runBaselines(context, peer)
    } finally {
      peer.stop()
    }
  },
}
