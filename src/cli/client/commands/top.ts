// `top`: a full-screen dashboard like htop — throughput per topic (records/s from end offsets; bytes
// in/out per second from Streamline's /metrics when its HTTP API answers), consumer groups with lag,
// broker stats. Keys: q quits, Tab switches topics/groups, s cycles the sort, / filters, ↑/↓ select.
// Redrawn in place (cursor home, each line cleared to its end) on the alternate screen: no flicker.
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parseDurationMs } from '../durations.ts'
import { describeError } from '../errors.ts'
import { describeGroup } from '../group-state.ts'
import {
  type BrokerStat,
  groupSorts,
  initialView,
  renderScreen,
  type Snapshot,
  topicSorts,
  type ViewState,
  visibleGroups,
  visibleTopics,
} from '../top-model.ts'
import { partitionOffsets, topicPartitionCounts } from '../topic-state.ts'

const groupsDescribedMax = 50

/** Sums of Prometheus samples by metric name and (optional) topic label. */
function parseMetrics(text: string): Map<string, number> {
  const sums = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue
    const match = /^([a-z_:]+)(\{([^}]*)\})?\s+(\S+)/.exec(line)
    if (match === null) continue
    const topic = /topic="([^"]*)"/.exec(match[3] ?? '')?.[1]
    const key = topic === undefined ? match[1] : `${match[1]}|${topic}`
    sums.set(key, (sums.get(key) ?? 0) + Number(match[4]))
  }
  return sums
}

async function takeSnapshot(
  context: CliContext,
  previous: { at: number; records: Map<string, bigint>; metrics: Map<string, number> } | null,
) {
  const now = Date.now()
  const counts = await topicPartitionCounts(context)
  const [ends, starts] = await Promise.all([
    partitionOffsets(context, counts, -1n),
    partitionOffsets(context, counts, -2n),
  ])
  const metrics = await context
    .http('/metrics')
    .then((answer) => parseMetrics(answer.text))
    .catch(() => new Map<string, number>())
  const seconds = previous === null ? 0 : (now - previous.at) / 1000
  const perSecond = (key: string): number | null => {
    const before = previous?.metrics.get(key)
    const current = metrics.get(key)
    return before === undefined || current === undefined || seconds === 0
      ? null
      : (current - before) / seconds
  }
  const records = new Map<string, bigint>()
  const topics = [...counts].map(([name, partitions]) => {
    const total =
      (ends.get(name) ?? []).reduce((sum, offset) => sum + offset, 0n) -
      (starts.get(name) ?? []).reduce((sum, offset) => sum + offset, 0n)
    const endSum = (ends.get(name) ?? []).reduce((sum, offset) => sum + offset, 0n)
    records.set(name, endSum)
    const before = previous?.records.get(name)
    return {
      name,
      partitions,
      records: total,
      recordsPerSecond: before === undefined || seconds === 0 ? null : Number(endSum - before) / seconds,
      bytesInPerSecond: perSecond(`streamline_topic_bytes_in_total|${name}`),
      bytesOutPerSecond: perSecond(`streamline_topic_bytes_out_total|${name}`),
    }
  })
  const admin = await context.kafka.admin()
  const listed = [...(await context.kafka.call('listing groups', admin.listGroups())).keys()].slice(
    0,
    groupsDescribedMax,
  )
  const groups = []
  for (const groupId of listed) {
    const view = await describeGroup(context, groupId).catch(() => null)
    if (view !== null)
      groups.push({ groupId, state: view.state, members: view.members.length, lag: view.totalLag })
  }
  const broker: BrokerStat = {
    connections: metrics.get('streamline_connections') ?? null,
    requestsInFlight: metrics.get('streamline_requests_in_flight') ?? null,
    diskFreeBytes: metrics.get('streamline_data_dir_free_bytes') ?? null,
  }
  const snapshot: Snapshot = { at: new Date(now), topics, groups, broker, error: null }
  return { snapshot, state: { at: now, records, metrics } }
}

/** Applies one key press; returns false when the user quits. */
export function applyKey(view: ViewState, key: string, rowCount: number): boolean {
  if (view.editingFilter !== null) {
    if (key === '\r' || key === '\n') {
      view.filter = view.editingFilter
      view.editingFilter = null
    } else if (key === '\u001b') view.editingFilter = null
    else if (key === '\u007f') view.editingFilter = view.editingFilter.slice(0, -1)
    else if (key >= ' ' && key.length === 1) view.editingFilter += key
    view.selected = 0
    return true
  }
  if (key === 'q' || key === '\u0003') return false
  if (key === '\t') {
    view.panel = view.panel === 'topics' ? 'groups' : 'topics'
    view.selected = 0
  } else if (key === 's') {
    if (view.panel === 'topics')
      view.topicSort = topicSorts[(topicSorts.indexOf(view.topicSort) + 1) % topicSorts.length]
    else view.groupSort = groupSorts[(groupSorts.indexOf(view.groupSort) + 1) % groupSorts.length]
  } else if (key === '/') view.editingFilter = ''
  else if (key === '\u001b') view.filter = ''
  else if (key === '\u001b[A') view.selected = Math.max(0, view.selected - 1)
  else if (key === '\u001b[B') view.selected = Math.min(Math.max(0, rowCount - 1), view.selected + 1)
  return true
}

async function top(context: CliContext, command: Command): Promise<void> {
  const { interval } = command.opts<{ interval: string }>()
  const intervalMs = parseDurationMs(interval, '--interval')
  const stdout = context.io.stdout as NodeJS.WriteStream
  const stdin = context.io.stdin as NodeJS.ReadStream
  const view = initialView()
  let snapshot: Snapshot | null = null
  let previous: Awaited<ReturnType<typeof takeSnapshot>>['state'] | null = null
  const draw = (): void => {
    const lines = renderScreen(snapshot, view, stdout.columns ?? 100, stdout.rows ?? 30)
    stdout.write(`\u001b[H${lines.map((line) => `${line}\u001b[K`).join('\n')}\u001b[J`)
  }
  stdout.write('\u001b[?1049h\u001b[?25l')
  if (stdin.isTTY === true) stdin.setRawMode(true)
  let quit = false
  let wake: (() => void) | null = null
  const onKey = (data: Buffer): void => {
    const text = data.toString('utf8')
    // A chunk is one escape sequence (arrows), or typed characters (a paste, or fast typing).
    const pressed = text.startsWith('\u001b') ? [text] : [...text]
    for (const key of pressed) {
      const rows =
        snapshot === null
          ? 0
          : view.panel === 'topics'
            ? visibleTopics(snapshot, view).length
            : visibleGroups(snapshot, view).length
      if (!applyKey(view, key, rows)) {
        quit = true
        wake?.()
        return
      }
    }
    draw()
  }
  stdin.on('data', onKey)
  stdin.resume()
  const onAbort = (): void => {
    quit = true
    wake?.()
  }
  context.interrupt.addEventListener('abort', onAbort)
  try {
    draw()
    while (!quit) {
      try {
        const taken = await takeSnapshot(context, previous)
        snapshot = taken.snapshot
        previous = taken.state
      } catch (error) {
        if (snapshot !== null) snapshot = { ...snapshot, error: describeError(error) }
        else
          snapshot = {
            at: new Date(),
            topics: [],
            groups: [],
            broker: { connections: null, requestsInFlight: null, diskFreeBytes: null },
            error: describeError(error),
          }
      }
      draw()
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, intervalMs)
      })
    }
  } finally {
    context.interrupt.removeEventListener('abort', onAbort)
    stdin.off('data', onKey)
    if (stdin.isTTY === true) stdin.setRawMode(false)
    stdin.pause()
    stdout.write('\u001b[?25h\u001b[?1049l')
  }
}

export const registerTop: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('top')
      .description('full-screen dashboard: topic throughput, group lag, broker stats (q quits)')
      .option('--interval <duration>', 'refresh every', '1s')
      .action(runCommand(io, top)),
  )
}
