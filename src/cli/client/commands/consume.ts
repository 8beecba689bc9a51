// `consume <topic>`: reads records and prints them (commands/../records/consumed-record.ts has the
// shapes). Where to start: the beginning (default), --offset, --at <time>, --last <duration>, or the
// end with --follow alone; where to stop: the end of the log at start, -n records, --until <time>,
// or never with --follow (Ctrl-C ends it with a summary). --group reads through a consumer group
// and commits. Filters: --grep/-i/-v/--grep-key, --jq, --sample (records/record-filter.ts).
import { Command, Option } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parseBigInt, parseDurationMs, parseNonNegativeInteger, parsePositiveInteger } from '../durations.ts'
import { UsageError } from '../errors.ts'
import { type ConsumedRecord, formatRecord, type PrintOptions } from '../records/consumed-record.ts'
import { fetchLoop, isolationLevels, listOffsetsAt } from '../records/fetch-loop.ts'
import { groupLoop } from '../records/group-loop.ts'
import { OutputBatch } from '../records/output-batch.ts'
import { ValueSink } from '../records/raw-fetch.ts'
import { buildRecordFilter, type FilterOptions } from '../records/record-filter.ts'
import { parseTimeSpec } from '../records/time-spec.ts'
import { checkPartition, topicMetadata } from '../topic-metadata.ts'

interface ConsumeOptions extends FilterOptions {
  fromBeginning?: boolean
  offset?: string
  partition?: string
  count?: string
  follow?: boolean
  group?: string
  showKeys?: boolean
  showTimestamps?: boolean
  showOffsets?: boolean
  showHeaders?: boolean
  at?: string
  last?: string
  until?: string
  isolation: keyof typeof isolationLevels
}

export function consumeCommand(): Command {
  return new Command('consume')
    .description('read records from a topic, with time travel and filters')
    .argument('<topic>', 'topic to read')
    .option('--from-beginning', 'start at the earliest offset (the default unless --follow)')
    .option('--offset <n>', 'start at this offset (every partition, or the one given with -p)')
    .option('-p, --partition <n>', 'read this partition only')
    .option('-n, --count <n>', 'stop after printing n records')
    .option('-f, --follow', 'keep waiting for new records (alone: start at the end, like tail -f)')
    .option('--group <id>', 'read as a member of this consumer group and commit offsets')
    .option('--show-keys', 'print the key before the value')
    .option('--show-timestamps', 'print the timestamp (ISO-8601, UTC)')
    .option('--show-offsets', 'print partition:offset')
    .option('--show-headers', 'print the headers (k=v,k=v)')
    .option(
      '--at <time>',
      'start at the first record at or after a time: 2024-05-01T10:00:00Z, yesterday, "1 hour ago"',
    )
    .option('--last <duration>', 'start this long ago: 30s, 5m, 2h, 1d')
    .option('--until <time>', 'stop at the first record after this time')
    .option('--grep <regex>', 'print only records whose value matches')
    .option('-i, --ignore-case', '--grep ignores case')
    .option('-v, --invert-match', 'print only records that do not match --grep')
    .option('--grep-key', '--grep matches the key instead of the value')
    .option('--jq <jsonpath>', 'print this JSONPath of JSON values ($.user.id); others are skipped')
    .option('--sample <spec>', 'print a sample: 10% (random share) or 100 (every 100th record)')
    .addOption(
      new Option('--isolation <level>', 'transactional isolation')
        .choices(Object.keys(isolationLevels))
        .default('read_uncommitted'),
    )
    .addHelpText(
      'after',
      `
Output: the value, one record per line (raw bytes); --show-* add tab-separated columns before it in
the order partition:offset, timestamp, headers, key. --format json prints one JSON object per line:
{"topic","partition","offset","timestamp","key","value","headers":[{"key","value"}]}.

Examples:
  streamline-cli consume orders -n 10 --show-keys
  streamline-cli consume orders --last 15m --grep error -i
  streamline-cli consume orders --at yesterday --until today --jq '$.user.id'
  streamline-cli consume orders -f --group audit`,
    )
}

function startSpec(
  options: ConsumeOptions,
): { kind: 'offset'; offset: bigint } | { kind: 'time'; timestamp: bigint } | null {
  const given = [
    options.fromBeginning === true,
    options.offset !== undefined,
    options.at !== undefined,
    options.last !== undefined,
  ]
  if (given.filter(Boolean).length > 1)
    throw new UsageError('give one of --from-beginning, --offset, --at and --last')
  if (options.offset !== undefined) {
    const offset = parseBigInt(options.offset, '--offset')
    if (offset < 0n) throw new UsageError('--offset: must be 0 or more')
    return { kind: 'offset', offset }
  }
  if (options.at !== undefined) return { kind: 'time', timestamp: BigInt(parseTimeSpec(options.at, '--at')) }
  if (options.last !== undefined)
    return { kind: 'time', timestamp: BigInt(Date.now() - parseDurationMs(options.last, '--last')) }
  if (options.fromBeginning === true) return { kind: 'time', timestamp: -2n }
  return options.follow === true ? { kind: 'time', timestamp: -1n } : { kind: 'time', timestamp: -2n }
}

async function consume(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const options = command.opts<ConsumeOptions>()
  const countMax = options.count === undefined ? undefined : parsePositiveInteger(options.count, '--count')
  const untilMs = options.until === undefined ? undefined : parseTimeSpec(options.until, '--until')
  const partitionOption =
    options.partition === undefined ? undefined : parseNonNegativeInteger(options.partition, '--partition')
  const start = startSpec(options)
  const filter = buildRecordFilter(options)
  if (
    options.group !== undefined &&
    (options.offset !== undefined ||
      options.at !== undefined ||
      options.last !== undefined ||
      partitionOption !== undefined)
  ) {
    throw new UsageError(
      '--group starts from the committed offsets: --offset, --at, --last and -p do not apply (use groups reset)',
    )
  }
  const print: PrintOptions = {
    json: context.output.json,
    showKeys: options.showKeys === true,
    showTimestamps: options.showTimestamps === true,
    showOffsets: options.showOffsets === true,
    showHeaders: options.showHeaders === true,
  }
  const metadata = await topicMetadata(context, topic)
  if (partitionOption !== undefined) checkPartition(metadata, partitionOption)
  const partitions =
    partitionOption === undefined ? [...Array(metadata.partitionCount).keys()] : [partitionOption]
  const isolationLevel = isolationLevels[options.isolation]
  const consumer = await context.kafka.consumer(options.group ?? 'streamline-cli-no-group', {
    isolationLevel,
  })
  const follow = options.follow === true
  const ends = await listOffsetsAt(context, consumer, topic, partitions, -1n, isolationLevel)

  let printed = 0
  let read = 0
  let stoppedByTime = false
  const started = performance.now()
  const batch = new OutputBatch(context.output)
  const newline = Buffer.from('\n')
  const plain =
    !print.json && !print.showKeys && !print.showTimestamps && !print.showOffsets && !print.showHeaders
  const inGroup = options.group !== undefined
  const handle = async (record: ConsumedRecord): Promise<boolean> => {
    read += 1
    if (untilMs !== undefined && Number(record.timestamp) > untilMs) {
      stoppedByTime = true
      return false
    }
    const verdict = filter(record)
    if (!verdict.keep) return true
    printed += 1
    // The common shape (the value alone) skips formatRecord's copy: value and newline go as they are.
    let full: boolean
    if (plain && verdict.projected === undefined && record.value !== null) {
      batch.push(record.value)
      full = batch.push(newline)
    } else full = batch.push(formatRecord(record, verdict, print))
    // A group member hands over one record at a time: print each as it comes.
    if (full || inGroup) await batch.flush()
    return countMax === undefined || printed < countMax
  }

  if (options.group !== undefined) {
    await groupLoop(context, consumer, {
      topic,
      fallback: start?.kind === 'time' && start.timestamp === -1n ? 'latest' : 'earliest',
      follow,
      ends,
      isolationLevel,
      onRecord: handle,
    })
  } else {
    const positions =
      start?.kind === 'offset'
        ? new Map(partitions.map((partition) => [partition, start.offset]))
        : await listOffsetsAt(context, consumer, topic, partitions, start?.timestamp ?? -2n, isolationLevel)
    // Values alone, unfiltered (the shape of `consume t | tool`): copied straight from the fetched
    // bytes, no object per record (records/raw-fetch.ts).
    const sink =
      plain &&
      untilMs === undefined &&
      options.grep === undefined &&
      options.jq === undefined &&
      options.sample === undefined
        ? new ValueSink(countMax ?? Number.POSITIVE_INFINITY)
        : undefined
    const loop = fetchLoop(context, consumer, {
      topic: metadata,
      positions,
      ends: follow ? null : ends,
      isolationLevel,
      maxWaitMs: follow ? 500 : 100,
      sink,
    })
    outer: for await (const records of loop) {
      if (sink !== undefined) {
        for (const chunk of sink.take()) if (!context.output.write(chunk)) await context.output.drain()
        printed = read = sink.printed
        if (sink.remaining <= 0) break
        continue
      }
      for (const record of records) {
        if (!(await handle(record))) break outer
      }
      await batch.flush()
    }
  }
  await batch.flush()
  const seconds = (performance.now() - started) / 1000
  const why = context.interrupt.aborted ? ' (interrupted)' : stoppedByTime ? ' (reached --until)' : ''
  context.output.note(
    `consumed ${printed} record${printed === 1 ? '' : 's'} from ${topic}${read !== printed ? ` (${read} read)` : ''} in ${seconds.toFixed(2)} s${why}`,
  )
}

export const registerConsume: RegisterCommands = (program, io) => {
  program.addCommand(consumeCommand().action(runCommand(io, consume)))
}
