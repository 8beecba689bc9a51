// The consumer group of the group workload, in a child process of its own (forked by
// workloads/group.ts) so the real client's work never shares an event loop with the load generator:
// N @platformatic/kafka consumers in one group, each with its own connections, tailing one topic.
//
// Commands arrive over IPC: `start` creates the members and answers `assigned` once every member holds
// an assignment of the same generation covering every partition (the rebalance time runs from just
// before the members are created); `reset` starts a counting window; `report` answers the records
// consumed since then, the first and last arrival, and the end-to-end latency of every record (each
// value starts with its scheduled send time as a float64 of wall-clock ms, load/stamp.ts); `stop`
// closes the members and exits. Anything unexpected is answered with `failed`.
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import { stampBytes, wallClockMs } from './stamp.ts'

export type GroupProtocol = 'classic' | 'consumer'

export type GroupCommand =
  | {
      kind: 'start'
      bootstrap: string
      topic: string
      groupId: string
      members: number
      partitions: number
      protocol: GroupProtocol
    }
  | { kind: 'reset' }
  | { kind: 'report' }
  | { kind: 'stop' }

export type GroupReply =
  | { kind: 'assigned'; rebalanceMs: number; generationId: number }
  | {
      kind: 'report'
      records: number
      firstMs: number
      lastMs: number
      latency: LatencySummary
      unstamped: number
    }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string }

interface MemberState {
  generationId: number
  partitions: number
}

const consumers: Consumer[] = []
const streams: MessagesStream<Buffer, Buffer, Buffer, Buffer>[] = []
let window = { records: 0, firstMs: 0, lastMs: 0, unstamped: 0, latency: new LatencyHistogram() }

function reply(message: GroupReply): void {
  process.send?.(message)
}

function onRecord(value: Buffer | undefined): void {
  const nowMs = wallClockMs()
  if (window.records === 0) window.firstMs = nowMs
  window.records++
  window.lastMs = nowMs
  if (value === undefined || value.length < stampBytes) window.unstamped++
  else window.latency.recordMs(nowMs - value.readDoubleBE(0))
}

async function start(command: Extract<GroupCommand, { kind: 'start' }>): Promise<void> {
  const started = performance.now()
  const states: MemberState[] = Array.from({ length: command.members }, () => ({
    generationId: -1,
    partitions: 0,
  }))
  let announced = false
  const check = (): void => {
    if (announced) return
    const generation = states[0].generationId
    const everyoneSame = states.every((state) => state.generationId === generation && generation >= 0)
    const covered = states.reduce((sum, state) => sum + state.partitions, 0) === command.partitions
    if (!everyoneSame || !covered) return
    announced = true
    reply({ kind: 'assigned', rebalanceMs: performance.now() - started, generationId: generation })
  }
  const group =
    command.protocol === 'consumer'
      ? { groupProtocol: 'consumer' as const }
      : { groupProtocol: 'classic' as const }
  for (let index = 0; index < command.members; index++) {
    const consumer = new Consumer({
      clientId: `sl-bench-member-${index}`,
      bootstrapBrokers: [command.bootstrap],
      groupId: command.groupId,
      ...group,
      maxWaitTime: 500,
    })
    consumer.on(
      'consumer:group:join',
      (payload: { generationId?: number; assignments?: { partitions: number[] }[] | null }) => {
        states[index] = {
          generationId: payload.generationId ?? -1,
          partitions: (payload.assignments ?? []).reduce(
            (sum, assignment) => sum + assignment.partitions.length,
            0,
          ),
        }
        check()
      },
    )
    consumers.push(consumer)
  }
  const opened = await Promise.all(
    consumers.map((consumer) =>
      consumer.consume({ topics: [command.topic], mode: 'latest', autocommit: true }),
    ),
  )
  for (const stream of opened) {
    stream.on('data', (message: { value?: Buffer }) => onRecord(message.value))
    stream.on('error', (error: Error) => reply({ kind: 'failed', message: `stream: ${error.message}` }))
    streams.push(stream)
  }
}

async function stop(): Promise<void> {
  await Promise.allSettled(consumers.map((consumer) => consumer.close(true)))
  reply({ kind: 'stopped' })
  process.disconnect?.()
}

async function handle(command: GroupCommand): Promise<void> {
  switch (command.kind) {
    case 'start':
      return start(command)
    case 'reset':
      window = { records: 0, firstMs: 0, lastMs: 0, unstamped: 0, latency: new LatencyHistogram() }
      return
    case 'report':
      reply({
        kind: 'report',
        records: window.records,
        firstMs: window.firstMs,
        lastMs: window.lastMs,
        latency: window.latency.summary(),
        unstamped: window.unstamped,
      })
      return
    case 'stop':
      return stop()
  }
}

process.on('message', (command: GroupCommand) => {
  handle(command).catch((error: unknown) => {
    reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
  })
})
// The parent going away ends the members too.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 2_000).unref()
  void Promise.allSettled(consumers.map((consumer) => consumer.close(true)))
})
