// One driver per real client for the data-path tests: create topics (with the client's admin API
// where it has one), produce TestRecords with a codec, and read topics back into TestRecords.
// Python clients and kcat run as child processes (bounded); kafkajs and @platformatic/kafka run
// in-process. Nothing here decodes records itself: every byte read is decoded by the client named.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Admin, Consumer, ProduceAcks, Producer } from '@platformatic/kafka'
import { CompressionTypes, type IHeaders, Kafka, logLevel } from 'kafkajs'
import type { KafkaClientName } from '../../helpers/clients.ts'
import { type TestRecord, testRecord } from '../../helpers/data-path-records.ts'
import { runPython } from '../../helpers/python.ts'

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const allCodecs: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export type DriverName = KafkaClientName | 'kafkajs' | 'platformatic'

export interface TopicSpec {
  name: string
  partitions: number
  /** Default 1. */
  replication?: number
  configs?: Record<string, string>
}

/** What a reader should read: each topic's partition count and how many records to expect. */
export type ReadSpec = Record<string, { partitions: number; count: number }>

/** "zero": start every partition at offset 0; "earliest": ask the broker (ListOffsets). */
export type StartAt = 'zero' | 'earliest'

export interface ProduceReport {
  /** [partition, offset] per record, in record order; null where not acknowledged. */
  delivered: ([number, number] | null)[]
  errors: unknown[]
}

export interface Driver {
  name: DriverName
  /** Codecs this client can produce here; why the others are missing. */
  produceCodecs: readonly Codec[]
  produceGaps: Partial<Record<Codec, string>>
  /** Codecs this client can read here; why the others are missing. */
  readCodecs: readonly Codec[]
  readGaps: Partial<Record<Codec, string>>
  /** Why this client cannot read what `producer` wrote with `codec` (beyond readGaps), if it cannot. */
  readGapFor?(producer: DriverName, codec: Codec): string | undefined
  createTopics?(bootstrap: string, topics: TopicSpec[]): Promise<Record<string, number>>
  produce(bootstrap: string, topic: string, records: TestRecord[], codec: Codec): Promise<ProduceReport>
  read(
    bootstrap: string,
    topics: ReadSpec,
    startAt: StartAt,
    timeoutMs: number,
  ): Promise<Record<string, TestRecord[]>>
}

const clientsDir = join(import.meta.dirname, 'clients')
let specCounter = 0

async function runPythonDriver(
  script: 'confluent_driver.py' | 'kafka_python_driver.py',
  command: string,
  bootstrap: string,
  spec: unknown,
  workDir: string,
  timeoutMs: number,
): Promise<unknown> {
  const specPath = join(workDir, `spec-${process.pid}-${specCounter++}.json`)
  await writeFile(specPath, JSON.stringify(spec))
  const source = await readFile(join(clientsDir, script), 'utf8')
  return runPython(source, { args: [command, bootstrap, specPath], timeoutMs })
}

const kafkaPythonZstdReadGap =
  "kafka-python 2.0.2's consumer never sends Fetch above v4 (kafka/consumer/fetcher.py), and zstd batches " +
  'need Fetch v10+ (KIP-110): the broker rightly answers UNSUPPORTED_COMPRESSION_TYPE (legacy-formats.test.ts checks it)'

function pythonDriver(
  name: 'confluent-kafka' | 'kafka-python',
  script: 'confluent_driver.py' | 'kafka_python_driver.py',
  workDir: string,
): Driver {
  return {
    name,
    produceCodecs: allCodecs,
    produceGaps: {},
    readCodecs: name === 'kafka-python' ? ['none', 'gzip', 'snappy', 'lz4'] : allCodecs,
    readGaps: name === 'kafka-python' ? { zstd: kafkaPythonZstdReadGap } : {},
    async createTopics(bootstrap, topics) {
      const result = (await runPythonDriver(
        script,
        'create-topics',
        bootstrap,
        { topics },
        workDir,
        60_000,
      )) as Record<string, { code: number }>
      return Object.fromEntries(Object.entries(result).map(([topic, { code }]) => [topic, code]))
    },
    async produce(bootstrap, topic, records, codec) {
      const spec = { topic, compression: codec, records, acks: 'all' }
      return (await runPythonDriver(script, 'produce', bootstrap, spec, workDir, 120_000)) as ProduceReport
    },
    async read(bootstrap, topics, startAt, timeoutMs) {
      const spec = { topics, start: startAt === 'zero' ? 'zero' : 'beginning', timeout_s: timeoutMs / 1000 }
      const result = (await runPythonDriver(
        script,
        'consume',
        bootstrap,
        spec,
        workDir,
        timeoutMs + 30_000,
      )) as Record<string, TestRecord[]>
      const errors = (result as Record<string, unknown>).__errors__
      if (errors !== undefined) throw new Error(`${name} consumer errors: ${JSON.stringify(errors)}`)
      return Object.fromEntries(Object.entries(result).map(([topic, list]) => [topic, list.map(testRecord)]))
    },
  }
}

// ---------------------------------------------------------------- kcat

interface KcatMessage {
  topic: string
  partition: number
  offset: number
  ts: number
  headers?: string[] | null
  key: string | null
  payload: string | null
}

function runKcat(args: string[], input: string | null, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'kcat',
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kcat ${args.join(' ')} failed: ${error.message}\n${stderr}`))
        else resolvePromise(stdout)
      },
    )
    if (input !== null) child.stdin?.end(input)
  })
}

/**
 * kcat -P cannot set per-record timestamps or per-record headers: each partition is produced by one
 * kcat run with the headers [["source", "kcat"], ["partition", p]], and timestamps are the
 * producer's clock (the tests check them against the run's time window).
 */
export function kcatRecordHeaders(partition: number): [string, string][] {
  return [
    ['source', 'kcat'],
    ['partition', String(partition)],
  ]
}

const kcatDriver: Driver = {
  name: 'kcat',
  produceCodecs: allCodecs,
  produceGaps: {},
  readCodecs: allCodecs,
  readGaps: {},
  async produce(bootstrap, topic, records, codec) {
    const partitions = [...new Set(records.map((record) => record.partition))].sort((a, b) => a - b)
    for (const partition of partitions) {
      const lines = records
        .filter((record) => record.partition === partition)
        .map((record) => `${record.key}:${record.value}\n`)
        .join('')
      const args = ['-b', bootstrap, '-P', '-t', topic, '-p', String(partition), '-K', ':', '-z', codec]
      for (const [key, value] of kcatRecordHeaders(partition)) args.push('-H', `${key}=${value}`)
      args.push('-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'enable.idempotence=false', '-m', '10')
      await runKcat(args, lines, 120_000)
    }
    // kcat reports nothing per record: consumption checks what arrived.
    return { delivered: records.map(() => null), errors: [] }
  },
  async read(bootstrap, topics, startAt, timeoutMs) {
    const result: Record<string, TestRecord[]> = {}
    for (const [topic, spec] of Object.entries(topics)) {
      const args = [
        '-b',
        bootstrap,
        '-C',
        '-t',
        topic,
        '-o',
        startAt === 'zero' ? '0' : 'beginning',
        '-e',
        '-J',
      ]
      args.push('-c', String(spec.count), '-m', '10', '-q')
      const stdout = await runKcat(args, null, timeoutMs)
      result[topic] = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          const message = JSON.parse(line) as KcatMessage
          const flat = message.headers ?? []
          const headers: [string, string | null][] = []
          for (let index = 0; index < flat.length; index += 2) headers.push([flat[index], flat[index + 1]])
          return testRecord({
            partition: message.partition,
            offset: message.offset,
            key: message.key,
            value: message.payload,
            headers,
            timestamp: message.ts,
          })
        })
    }
    return result
  },
}

// ---------------------------------------------------------------- kafkajs

const kafkajsCompression: Partial<Record<Codec, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
}

const kafkajsGap =
  'kafkajs ships only gzip; snappy, lz4 and zstd need third-party codec plugins (kafkajs-snappy, kafkajs-lz4, ' +
  '@kafkajs/zstd) that are not dependencies of this project'

function kafkajsClient(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'streamline-data-path',
    brokers: [bootstrap],
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.NOTHING,
  })
}

/** kafkajs gives headers as an object (a repeated key becomes an array); back to ordered pairs. */
function kafkajsHeaders(headers: IHeaders): [string, string | null][] {
  const pairs: [string, string | null][] = []
  for (const [key, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([key, one?.toString() ?? null])
  }
  return pairs
}

const kafkajsDriver: Driver = {
  name: 'kafkajs',
  produceCodecs: ['none', 'gzip'],
  produceGaps: { snappy: kafkajsGap, lz4: kafkajsGap, zstd: kafkajsGap },
  readCodecs: ['none', 'gzip'],
  readGaps: { snappy: kafkajsGap, lz4: kafkajsGap, zstd: kafkajsGap },
  async createTopics(bootstrap, topics) {
    const admin = kafkajsClient(bootstrap).admin()
    await admin.connect()
    const result: Record<string, number> = {}
    try {
      for (const topic of topics) {
        try {
          await admin.createTopics({
            topics: [
              {
                topic: topic.name,
                numPartitions: topic.partitions,
                replicationFactor: topic.replication ?? 1,
                configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
              },
            ],
            timeout: 10_000,
          })
          result[topic.name] = 0
        } catch (error) {
          const inner = (error as { errors?: { type?: string; code?: number }[] }).errors?.[0]
          result[topic.name] = inner?.code ?? -1
        }
      }
    } finally {
      await admin.disconnect()
    }
    return result
  },
  async produce(bootstrap, topic, records, codec) {
    const compression = kafkajsCompression[codec]
    if (compression === undefined) throw new Error(kafkajsGap)
    const producer = kafkajsClient(bootstrap).producer({ allowAutoTopicCreation: false, idempotent: false })
    await producer.connect()
    const delivered: ([number, number] | null)[] = []
    try {
      const chunk = 1000
      for (let start = 0; start < records.length; start += chunk) {
        const slice = records.slice(start, start + chunk)
        const metadata = await producer.send({
          topic,
          acks: -1,
          compression,
          messages: slice.map((record) => ({
            partition: record.partition,
            key: record.key,
            value: record.value,
            headers: Object.fromEntries(record.headers.map(([key, value]) => [key, value ?? undefined])),
            timestamp: String(record.timestamp),
          })),
        })
        // kafkajs answers with each partition's base offset; count forward within the chunk.
        const next = new Map(metadata.map((entry) => [entry.partition, Number(entry.baseOffset)]))
        for (const record of slice) {
          const offset = next.get(record.partition)
          delivered.push(offset === undefined ? null : [record.partition, offset])
          if (offset !== undefined) next.set(record.partition, offset + 1)
        }
      }
    } finally {
      await producer.disconnect()
    }
    return { delivered, errors: [] }
  },
  read: readWithKafkajsConsumer,
}

/**
 * kafkajs's public consumer: a fresh group (so no committed offsets) subscribed fromBeginning, which
 * makes kafkajs ask ListOffsets for the earliest offset; "zero" and "earliest" are the same for it
 * (both tests' topics start at 0 unless records were deleted). Runs until every topic has its count.
 */
async function readWithKafkajsConsumer(
  bootstrap: string,
  topics: ReadSpec,
  _startAt: StartAt,
  timeoutMs: number,
): Promise<Record<string, TestRecord[]>> {
  const consumer = kafkajsClient(bootstrap).consumer({
    groupId: `streamline-data-path-${randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  })
  const result: Record<string, TestRecord[]> = Object.fromEntries(
    Object.keys(topics).map((topic) => [topic, []]),
  )
  const done = () => Object.entries(topics).every(([topic, spec]) => result[topic].length >= spec.count)
  let finish = (): void => {}
  const finished = new Promise<void>((resolvePromise) => {
    finish = resolvePromise
  })
  const timer = setTimeout(finish, timeoutMs)
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: Object.keys(topics), fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          result[batch.topic]?.push(
            testRecord({
              partition: batch.partition,
              offset: Number(message.offset),
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers: kafkajsHeaders(message.headers ?? {}),
              timestamp: Number(message.timestamp),
            }),
          )
        }
        if (done()) finish()
      },
    })
    if (!done()) await finished
  } finally {
    clearTimeout(timer)
    await consumer.disconnect()
  }
  return result
}

// ---------------------------------------------------------------- @platformatic/kafka

const platformaticZstdGap =
  '@platformatic/kafka implements zstd with node:zlib zstdCompressSync, which Node 20 lacks (Node >= 22.15)'

function platformaticBase(bootstrap: string) {
  return {
    clientId: 'streamline-data-path',
    bootstrapBrokers: [bootstrap],
    connectTimeout: 10_000,
    timeout: 30_000,
    retries: 2,
    retryDelay: 200,
  }
}

function platformaticText(value: Buffer | null | undefined): string | null {
  return value === null || value === undefined ? null : value.toString('utf8')
}

const platformaticDriver: Driver = {
  name: 'platformatic',
  produceCodecs: ['none', 'gzip', 'snappy', 'lz4'],
  produceGaps: { zstd: platformaticZstdGap },
  readCodecs: ['none', 'gzip', 'snappy', 'lz4'],
  readGaps: { zstd: platformaticZstdGap },
  readGapFor(producer, codec) {
    if (producer !== 'kafka-python' || codec !== 'snappy') return undefined
    return (
      "kafka-python frames snappy the xerial way (snappy-java's stream format, kafka/codec.py snappy_encode " +
      "xerial_compatible=True), which @platformatic/kafka's raw-snappy decoder rejects (a wasm 'unreachable' trap); " +
      'the broker keeps batches as produced, and kcat, confluent-kafka and kafka-python read the same cell'
    )
  },
  async createTopics(bootstrap, topics) {
    const admin = new Admin(platformaticBase(bootstrap))
    const result: Record<string, number> = {}
    try {
      for (const topic of topics) {
        try {
          await admin.createTopics({
            topics: [topic.name],
            partitions: topic.partitions,
            replicas: topic.replication ?? 1,
            configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
          })
          result[topic.name] = 0
        } catch (error) {
          result[topic.name] = platformaticErrorCode(error)
        }
      }
    } finally {
      await admin.close()
    }
    return result
  },
  async produce(bootstrap, topic, records, codec) {
    if (codec === 'zstd') throw new Error(platformaticZstdGap)
    const producer = new Producer({ ...platformaticBase(bootstrap), autocreateTopics: false })
    const delivered: ([number, number] | null)[] = []
    try {
      const chunk = 1000
      for (let start = 0; start < records.length; start += chunk) {
        const slice = records.slice(start, start + chunk)
        const answer = await producer.send({
          acks: ProduceAcks.ALL,
          compression: codec,
          messages: slice.map((record) => ({
            topic,
            partition: record.partition,
            key: record.key === null ? undefined : Buffer.from(record.key),
            value: record.value === null ? undefined : Buffer.from(record.value),
            timestamp: BigInt(record.timestamp),
            headers: new Map(
              record.headers.map(([key, value]) => [
                Buffer.from(key),
                value === null ? null : Buffer.from(value),
              ]),
            ) as Map<Buffer, Buffer>,
          })),
        })
        const next = new Map((answer.offsets ?? []).map((entry) => [entry.partition, Number(entry.offset)]))
        for (const record of slice) {
          const offset = next.get(record.partition)
          delivered.push(offset === undefined ? null : [record.partition, offset])
          if (offset !== undefined) next.set(record.partition, offset + 1)
        }
      }
    } finally {
      await producer.close()
    }
    return { delivered, errors: [] }
  },
  async read(bootstrap, topics, startAt, timeoutMs) {
    const deadline = Date.now() + timeoutMs
    const consumer = new Consumer({ ...platformaticBase(bootstrap), groupId: 'streamline-data-path' })
    const result: Record<string, TestRecord[]> = {}
    try {
      const names = Object.keys(topics)
      const metadata = await consumer.metadata({ topics: names })
      const positions = new Map<string, bigint[]>()
      const topicNames = new Map<string, string>()
      for (const [topic, spec] of Object.entries(topics)) {
        result[topic] = []
        const id = metadata.topics.get(topic)?.id
        if (id === undefined) throw new Error(`@platformatic/kafka metadata has no topic ${topic}`)
        topicNames.set(id, topic)
        if (startAt === 'zero') positions.set(topic, new Array<bigint>(spec.partitions).fill(0n))
        else {
          const offsets = await consumer.listOffsets({ topics: [topic], timestamp: -2n })
          const starts = offsets.get(topic)
          if (starts === undefined) throw new Error(`@platformatic/kafka listOffsets has no ${topic}`)
          positions.set(topic, [...starts])
        }
      }
      const done = () => Object.entries(topics).every(([topic, spec]) => result[topic].length >= spec.count)
      while (!done() && Date.now() < deadline) {
        const response = await consumer.fetch({
          node: 0,
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 10 * 1024 * 1024,
          topics: [...positions].map(([topic, offsets]) => ({
            topicId: metadata.topics.get(topic)?.id ?? '',
            partitions: offsets.map((fetchOffset, partition) => ({
              partition,
              fetchOffset,
              partitionMaxBytes: 1024 * 1024,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            })),
          })),
        })
        for (const topicResponse of response.responses) {
          const topic = topicNames.get(topicResponse.topicId)
          const offsets = topic === undefined ? undefined : positions.get(topic)
          if (topic === undefined || offsets === undefined) continue
          for (const partitionResponse of topicResponse.partitions) {
            const partition = partitionResponse.partitionIndex
            if (partitionResponse.errorCode !== 0) {
              throw new Error(
                `@platformatic/kafka fetch ${topic}/${partition}: error ${partitionResponse.errorCode}`,
              )
            }
            for (const batch of partitionResponse.records ?? []) {
              for (const record of batch.records) {
                const offset = batch.firstOffset + BigInt(record.offsetDelta)
                if (offset < offsets[partition]) continue
                result[topic].push(
                  testRecord({
                    partition,
                    offset: Number(offset),
                    key: platformaticText(record.key),
                    value: platformaticText(record.value),
                    headers: record.headers.map(([key, value]) => [
                      key?.toString('utf8') ?? '',
                      platformaticText(value),
                    ]),
                    timestamp: Number(batch.firstTimestamp + record.timestampDelta),
                  }),
                )
                offsets[partition] = offset + 1n
              }
            }
          }
        }
      }
    } finally {
      await consumer.close(true)
    }
    return result
  },
}

/** The Kafka error code inside a @platformatic/kafka error (ProtocolError.apiCode, possibly nested), or -1. */
export function platformaticErrorCode(error: unknown): number {
  const seen = new Set<unknown>()
  const visit = (value: unknown): number | undefined => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return undefined
    seen.add(value)
    const record = value as { apiCode?: unknown; errors?: unknown; cause?: unknown }
    if (typeof record.apiCode === 'number' && record.apiCode !== 0) return record.apiCode
    const inner = [...(Array.isArray(record.errors) ? record.errors : []), record.cause]
    for (const item of inner) {
      const code = visit(item)
      if (code !== undefined) return code
    }
    return undefined
  }
  return visit(error) ?? -1
}

export function makeDrivers(workDir: string): Record<DriverName, Driver> {
  return {
    kcat: kcatDriver,
    'confluent-kafka': pythonDriver('confluent-kafka', 'confluent_driver.py', workDir),
    'kafka-python': pythonDriver('kafka-python', 'kafka_python_driver.py', workDir),
    kafkajs: kafkajsDriver,
    platformatic: platformaticDriver,
  }
}
