// `produce <topic>`: writes records from -m, --file (one per line; `-` = stdin), a --template
// rendered -n times, or stdin when none is given. Prints where they went: the partition and offset
// of one record, or per-partition offset ranges and the rate for many.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { Command, Option } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { collect, oneOf, parseKeyValue, parseNonNegativeInteger, parsePositiveInteger } from '../durations.ts'
import { UsageError } from '../errors.ts'
import { BatchSender, type PartitionWritten } from '../records/batch-sender.ts'
import { byteLines } from '../records/byte-lines.ts'
import { RawProducer, servesRawProduce } from '../records/raw-produce.ts'
import { compileTemplate } from '../records/template.ts'
import { checkPartition, topicMetadata } from '../topic-metadata.ts'

interface ProduceOptions {
  message?: string[]
  file?: string
  key?: string
  header?: string[]
  partition?: string
  keySeparator?: string
  acks: string
  compression: string
  template?: string
  count?: string
  rate?: string
}

export const compressionTypes = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
const acksValues = ['0', '1', 'all', '-1'] as const

export function produceCommand(): Command {
  return new Command('produce')
    .description('write records to a topic (from -m, --file, --template, or stdin)')
    .argument('<topic>', 'topic to write to')
    .option('-m, --message <text>', 'a record value (repeatable)', collect)
    .option('--file <path>', "read records from a file, one per line ('-' = stdin)")
    .option('-k, --key <key>', 'the key of every record')
    .option('-H, --header <key=value>', 'a header on every record (repeatable)', collect)
    .option('-p, --partition <n>', 'write to this partition (default: by key, or sticky round-robin)')
    .option('--key-separator <text>', 'split each line into key and value at the first separator')
    .addOption(new Option('--acks <acks>', 'acknowledgements to wait for').choices(acksValues).default('all'))
    .addOption(
      new Option('--compression <type>', 'batch compression').choices(compressionTypes).default('none'),
    )
    .option(
      '--template <text>',
      'render records from a template: {{uuid}} {{timestamp}} {{i}} {{random:min:max}} {{now:%Y-%m-%d}}',
    )
    .option('-n, --count <n>', 'how many records --template renders (default 1)')
    .option('--rate <records/s>', 'send at most this many records per second')
    .addHelpText(
      'after',
      `
Examples:
  streamline-cli produce orders -m '{"id":1}' -k user-1 -H source=web
  seq 1 1000 | streamline-cli produce orders
  streamline-cli produce orders --file events.txt --key-separator :
  streamline-cli produce orders --template '{"id":"{{uuid}}","n":{{i}},"at":"{{now:%H:%M:%S}}"}' -n 100 --rate 10`,
    )
}

/** Read size of --file: fewer reads, and fewer lines cut (and copied) at a chunk's end. */
const fileReadBytes = 1024 * 1024

function acksNumber(text: string): number {
  return text === 'all' || text === '-1' ? -1 : Number(text)
}

/** The lines of a file or stdin, without their line ends (one per yield: --key-separator splits text). */
async function* linesOf(stream: Readable): AsyncGenerator<string[]> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
  for await (const line of lines) yield [line]
}

/** The records' texts, some at a time: strings, or lines as bytes straight from a file or stdin. */
async function* sourceOf(context: CliContext, options: ProduceOptions): AsyncGenerator<(string | Buffer)[]> {
  const sources = [options.message !== undefined, options.file !== undefined, options.template !== undefined]
  if (sources.filter(Boolean).length > 1) throw new UsageError('give one of -m, --file and --template')
  if (options.count !== undefined && options.template === undefined)
    throw new UsageError('-n/--count needs --template')
  if (options.message !== undefined) {
    yield options.message
    return
  }
  if (options.template !== undefined) {
    const render = compileTemplate(options.template)
    const count = options.count === undefined ? 1 : parsePositiveInteger(options.count, '--count')
    for (let index = 0; index < count; index++) yield [render(index)]
    return
  }
  const stream =
    options.file !== undefined && options.file !== '-'
      ? createReadStream(options.file, { highWaterMark: fileReadBytes })
      : context.io.stdin
  if (options.keySeparator === undefined) yield* byteLines(stream)
  else yield* linesOf(stream)
}

function describeWritten(topic: string, written: PartitionWritten[], total: number): string {
  if (total === 1 && written.length === 1) {
    return `produced 1 record to ${topic}: partition ${written[0].partition}, offset ${written[0].firstOffset}`
  }
  const ranges = written.map((entry) =>
    entry.firstOffset < 0n
      ? `partition ${entry.partition}: ${entry.count}`
      : `partition ${entry.partition}: offsets ${entry.firstOffset}-${entry.lastOffset}`,
  )
  return `produced ${total} records to ${topic} (${ranges.join('; ')})`
}

async function produce(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const options = command.opts<ProduceOptions>()
  const acks = acksNumber(oneOf(options.acks, acksValues, '--acks'))
  const headers: [Buffer, Buffer][] = (options.header ?? []).map((text) => {
    const [key, value] = parseKeyValue(text, '--header')
    return [Buffer.from(key), Buffer.from(value)]
  })
  const explicitPartition =
    options.partition === undefined ? undefined : parseNonNegativeInteger(options.partition, '--partition')
  const ratePerSecond = options.rate === undefined ? undefined : parsePositiveInteger(options.rate, '--rate')
  const records = sourceOf(context, options)
  const metadata = await topicMetadata(context, topic)
  if (explicitPartition !== undefined) checkPartition(metadata, explicitPartition)
  const producer = await context.kafka.producer({ acks, compression: options.compression })
  // Uncompressed records go through the lean path (records/raw-produce.ts) when the broker serves it.
  let raw: RawProducer | undefined
  if (options.compression === 'none') {
    const admin = await context.kafka.admin()
    const apis = await context.kafka.call('listing API versions', admin.listApis())
    if (servesRawProduce(apis))
      raw = new RawProducer(producer, topic, metadata.leaders, context.settings.timeoutMs)
  }
  const sender = new BatchSender(producer, topic, metadata.partitionCount, {
    acks,
    raw,
    batchRecordsMax: ratePerSecond === undefined ? undefined : Math.max(1, Math.ceil(ratePerSecond / 20)),
    inFlightMax: explicitPartition === undefined && options.key === undefined ? 4 : 1,
  })
  const started = performance.now()
  let count = 0
  const fixedKey = options.key === undefined ? null : Buffer.from(options.key)
  reading: for await (const lines of records) {
    for (const line of lines) {
      if (context.interrupt.aborted) break reading
      let key = fixedKey
      let value = typeof line === 'string' ? Buffer.from(line) : line
      if (options.keySeparator !== undefined && typeof line === 'string') {
        const at = line.indexOf(options.keySeparator)
        if (at !== -1) {
          key = Buffer.from(line.slice(0, at))
          value = Buffer.from(line.slice(at + options.keySeparator.length))
        }
      }
      const sending = sender.add({ key, value, headers, partition: explicitPartition })
      if (sending !== null) await context.kafka.call(`writing to ${topic}`, sending)
      count += 1
      if (ratePerSecond !== undefined) {
        const dueMs = (count / ratePerSecond) * 1000 - (performance.now() - started)
        if (dueMs > 0) {
          await context.kafka.call(`writing to ${topic}`, sender.flush())
          await new Promise((resolve) => setTimeout(resolve, dueMs))
        }
      }
    }
  }
  await context.kafka.call(`writing to ${topic}`, sender.flush())
  const seconds = (performance.now() - started) / 1000
  const written = sender.written()
  context.output.result({ topic, count, partitions: written }, () => {
    context.output.line(describeWritten(topic, written, count))
  })
  if (count > 1 && !context.output.json) {
    context.output.note(
      `${count} records in ${seconds.toFixed(2)} s (${Math.round(count / Math.max(seconds, 1e-6))} records/s)`,
    )
  }
}

export const registerProduce: RegisterCommands = (program, io) => {
  program.addCommand(produceCommand().action(runCommand(io, produce)))
}
