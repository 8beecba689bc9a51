// `topics export <topic>` and `topics import <topic>`: a topic's records as JSON Lines, one record a
// line, byte-exact: {"partition":0,"offset":"5","timestamp":"1700000000000","key":<base64>|null,
// "value":<base64>|null,"headers":[[<base64 key>,<base64 value>|null]]}. Import writes each record
// to the same partition with the same timestamp, key, value and headers (the target topic must exist
// with at least as many partitions).
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { type CliContext, type CliIo, runCommand } from '../context.ts'
import { CliFailure, UsageError } from '../errors.ts'
import { BatchSender, type OutgoingRecord } from '../records/batch-sender.ts'
import type { ConsumedRecord } from '../records/consumed-record.ts'
import { fetchLoop, listOffsetsAt } from '../records/fetch-loop.ts'
import { topicMetadata } from '../topic-metadata.ts'

export interface ExportedRecord {
  partition: number
  offset: string
  timestamp: string
  key: string | null
  value: string | null
  headers: [string, string | null][]
}

const base64 = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('base64'))
const bytesOf = (text: string | null): Buffer | null => (text === null ? null : Buffer.from(text, 'base64'))

export function exportLine(record: ConsumedRecord): string {
  const line: ExportedRecord = {
    partition: record.partition,
    offset: record.offset.toString(),
    timestamp: record.timestamp.toString(),
    key: base64(record.key),
    value: base64(record.value),
    headers: record.headers.map(([key, value]) => [base64(key) ?? '', base64(value)]),
  }
  return `${JSON.stringify(line)}\n`
}

export function importRecord(line: string, lineNumber: number): OutgoingRecord {
  let parsed: ExportedRecord
  try {
    parsed = JSON.parse(line) as ExportedRecord
  } catch (error) {
    throw new CliFailure(`line ${lineNumber}: not JSON (${(error as Error).message})`)
  }
  if (
    !Number.isInteger(parsed.partition) ||
    typeof parsed.timestamp !== 'string' ||
    !Array.isArray(parsed.headers)
  ) {
    throw new CliFailure(
      `line ${lineNumber}: not an exported record (needs partition, timestamp, key, value, headers)`,
    )
  }
  return {
    partition: parsed.partition,
    timestamp: BigInt(parsed.timestamp),
    key: bytesOf(parsed.key),
    value: bytesOf(parsed.value),
    headers: parsed.headers.map(([key, value]) => [Buffer.from(key, 'base64'), bytesOf(value)]),
  }
}

async function exportTopic(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const metadata = await topicMetadata(context, topic)
  const partitions = [...Array(metadata.partitionCount).keys()]
  const consumer = await context.kafka.consumer('streamline-cli-export')
  const ends = await listOffsetsAt(context, consumer, topic, partitions, -1n, 0)
  const positions = await listOffsetsAt(context, consumer, topic, partitions, -2n, 0)
  let count = 0
  for await (const records of fetchLoop(context, consumer, {
    topic: metadata,
    positions,
    ends,
    isolationLevel: 0,
    maxWaitMs: 100,
  })) {
    for (const record of records) {
      count += 1
      if (!context.output.write(exportLine(record))) await context.output.drain()
    }
  }
  context.output.note(
    `exported ${count} record${count === 1 ? '' : 's'} from ${topic} (${metadata.partitionCount} partitions)`,
  )
}

async function importTopic(context: CliContext, command: Command): Promise<void> {
  const [topic] = command.args
  const { input } = command.opts<{ input?: string }>()
  if (input === undefined) throw new UsageError("topics import needs -i/--input <file> ('-' = stdin)")
  const metadata = await topicMetadata(context, topic)
  const producer = await context.kafka.producer({ acks: -1 })
  const sender = new BatchSender(producer, topic, metadata.partitionCount, { acks: -1 })
  const stream = input === '-' ? context.io.stdin : createReadStream(input)
  let lineNumber = 0
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber += 1
    if (line.trim() === '') continue
    const record = importRecord(line, lineNumber)
    if ((record.partition ?? 0) >= metadata.partitionCount) {
      throw new CliFailure(
        `line ${lineNumber}: partition ${record.partition} does not exist in ${topic} (${metadata.partitionCount} partitions)`,
      )
    }
    const sending = sender.add(record)
    if (sending !== null) await context.kafka.call(`writing to ${topic}`, sending)
  }
  await context.kafka.call(`writing to ${topic}`, sender.flush())
  const written = sender.written()
  context.output.result({ topic, count: sender.recordsSent, partitions: written }, () =>
    context.output.line(
      `imported ${sender.recordsSent} record${sender.recordsSent === 1 ? '' : 's'} into ${topic}`,
    ),
  )
}

export function registerTopicsTransfer(topics: Command, io: CliIo): void {
  topics
    .command('export')
    .description('write every record of a topic as JSON Lines (binary-safe; use -o <file>)')
    .argument('<topic>', 'topic name')
    .addHelpText('after', '\nExample: streamline-cli topics export orders -o orders.jsonl')
    .action(runCommand(io, exportTopic))
  topics
    .command('import')
    .description(
      'write records from an export into a topic: same partitions, timestamps, keys, values, headers',
    )
    .argument('<topic>', 'topic name (must exist)')
    .option('-i, --input <file>', "the export file ('-' = stdin)")
    .addHelpText('after', '\nExample: streamline-cli -b other:9092 topics import orders -i orders.jsonl')
    .action(runCommand(io, importTopic))
}
