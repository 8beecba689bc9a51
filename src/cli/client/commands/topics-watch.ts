// `topics watch`: a table of every topic's end offsets, refreshed every --interval, with the rate
// (records/s) since the previous refresh. On a terminal the screen is redrawn in place; in a pipe
// each refresh is printed below the last (--iterations bounds the count, for scripts and tests).
import type { Command } from 'commander'
import { type CliContext, type CliIo, runCommand } from '../context.ts'
import { parseDurationMs, parsePositiveInteger } from '../durations.ts'
import { formatTable } from '../output.ts'
import { partitionOffsets, topicPartitionCounts } from '../topic-state.ts'

interface WatchRow {
  name: string
  partitions: number
  records: bigint
  rate: number | null
}

async function snapshot(context: CliContext): Promise<Map<string, { partitions: number; records: bigint }>> {
  const counts = await topicPartitionCounts(context)
  const ends = await partitionOffsets(context, counts, -1n)
  const starts = await partitionOffsets(context, counts, -2n)
  const result = new Map<string, { partitions: number; records: bigint }>()
  for (const [name, partitions] of counts) {
    const end = (ends.get(name) ?? []).reduce((sum, offset) => sum + offset, 0n)
    const start = (starts.get(name) ?? []).reduce((sum, offset) => sum + offset, 0n)
    result.set(name, { partitions, records: end - start })
  }
  return result
}

async function watch(context: CliContext, command: Command): Promise<void> {
  const options = command.opts<{ interval: string; iterations?: string }>()
  const intervalMs = parseDurationMs(options.interval, '--interval')
  const iterations =
    options.iterations === undefined ? undefined : parsePositiveInteger(options.iterations, '--iterations')
  const redraw = context.io.stdoutIsTerminal && !context.output.json
  let previous: { at: number; totals: Map<string, bigint> } | undefined
  for (let iteration = 0; iterations === undefined || iteration < iterations; iteration++) {
    if (context.interrupt.aborted) break
    const now = Date.now()
    const current = await snapshot(context)
    const rows: WatchRow[] = [...current].map(([name, state]) => {
      const before = previous?.totals.get(name)
      const seconds = previous === undefined ? 0 : (now - previous.at) / 1000
      const rate = before === undefined || seconds === 0 ? null : Number(state.records - before) / seconds
      return { name, partitions: state.partitions, records: state.records, rate }
    })
    previous = { at: now, totals: new Map([...current].map(([name, state]) => [name, state.records])) }
    if (context.output.json) {
      context.output.line(
        JSON.stringify({
          time: new Date(now).toISOString(),
          topics: rows.map((row) => ({ ...row, records: row.records.toString() })),
        }),
      )
    } else {
      const lines = formatTable(
        [
          { header: 'topic', key: 'name' },
          { header: 'partitions', key: 'partitions', alignRight: true },
          { header: 'records', key: 'records', alignRight: true },
          { header: 'records/s', key: 'rateText', alignRight: true },
        ],
        rows.map((row) => ({ ...row, rateText: row.rate === null ? '-' : row.rate.toFixed(1) })),
      )
      const header = `topics at ${new Date(now).toISOString()} (every ${intervalMs} ms; Ctrl-C stops)`
      context.output.write(
        redraw ? `\u001b[H\u001b[2J${header}\n${lines.join('\n')}\n` : `${header}\n${lines.join('\n')}\n\n`,
      )
    }
    if (iterations !== undefined && iteration + 1 >= iterations) break
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs)
      context.interrupt.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true },
      )
    })
  }
}

export function registerTopicsWatch(topics: Command, io: CliIo): void {
  topics
    .command('watch')
    .description('refresh record counts and rates per topic until Ctrl-C')
    .option('--interval <duration>', 'time between refreshes', '2s')
    .option('--iterations <n>', 'stop after n refreshes')
    .action(runCommand(io, watch))
}
