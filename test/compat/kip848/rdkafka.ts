// node-rdkafka (librdkafka 2.12, `group.protocol=consumer`) for the KIP-848 compatibility tests.
// It lives in the separate package test-clients/ (it compiles librdkafka during `npm install`), so
// it is loaded at run time and typed here by the few calls the tests make.
// `rdkafkaSkip` is a value for node:test's `skip` option: false when the client loads; otherwise a
// message (laptop) or, with CI=true, a failing test "node-rdkafka is installed" in the calling file.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { repositoryRoot } from '../../helpers/broker-process.ts'

export interface TopicPartitionOffset {
  topic: string
  partition: number
  offset?: number
}

export interface RdkafkaConsumer {
  connect(options: Record<string, never>, callback: (error: Error | null) => void): void
  disconnect(callback: (error: Error | null) => void): void
  subscribe(topics: string[]): void
  consume(): void
  /** Non-flowing: up to `count` messages, waiting at most the default consume timeout. */
  consume(count: number, callback: (error: Error | null, messages: RdkafkaMessage[]) => void): void
  setDefaultConsumeTimeout(timeoutMs: number): void
  assignments(): TopicPartitionOffset[]
  /** Asynchronous (commitSync would block this process, and the broker runs in it). */
  commit(offsets: TopicPartitionOffset[]): void
  on(event: 'event.error', listener: (error: Error) => void): void
  /** Before node-rdkafka's own incremental assign (code -175) or unassign (-174). */
  on(
    event: 'rebalance',
    listener: (error: { code: number }, assignment: TopicPartitionOffset[]) => void,
  ): void
}

export interface RdkafkaMessage {
  topic: string
  partition: number
  offset: number
  value: Buffer | null
}

interface RdkafkaModule {
  librdkafkaVersion: string
  KafkaConsumer: new (
    config: Record<string, string | number | boolean>,
    topicConfig: Record<string, string>,
  ) => RdkafkaConsumer
}

const packageDir = resolve(repositoryRoot, 'test-clients')
const install = 'npm ci --prefix test-clients (builds librdkafka, about two minutes)'

function load(): { module: RdkafkaModule | null; problem: string | null } {
  try {
    const require = createRequire(resolve(packageDir, 'package.json'))
    return { module: require('node-rdkafka') as RdkafkaModule, problem: null }
  } catch (error) {
    return { module: null, problem: error instanceof Error ? error.message.split('\n')[0] : String(error) }
  }
}

const loaded = load()

export function rdkafkaSkip(): string | false {
  if (loaded.problem === null) return false
  if (process.env.CI === 'true') {
    test('node-rdkafka is installed', () => {
      throw new Error(
        `node-rdkafka from test-clients/ does not load and CI=true requires it: ${loaded.problem}. .ci/run installs it with \`${install}\`.`,
      )
    })
    return 'node-rdkafka is missing (the failing test "node-rdkafka is installed" says why)'
  }
  return `node-rdkafka is not installed (${loaded.problem}); install it with \`${install}\` to run this test`
}

export function rdkafka(): RdkafkaModule {
  if (loaded.module === null) throw new Error(`node-rdkafka is not installed: ${loaded.problem}`)
  return loaded.module
}

/** A connected KIP-848 consumer, subscribed and consuming (so rebalance callbacks run). */
export async function startConsumer(options: {
  bootstrap: string
  group: string
  topic: string
  clientId: string
  assignor?: string
}): Promise<RdkafkaConsumer> {
  const consumer = new (rdkafka().KafkaConsumer)(
    {
      'bootstrap.servers': options.bootstrap,
      'group.id': options.group,
      'group.protocol': 'consumer',
      'group.remote.assignor': options.assignor ?? 'uniform',
      'client.id': options.clientId,
      'enable.auto.commit': false,
      // node-rdkafka's own callback: incremental assign/unassign, which KIP-848 uses.
      rebalance_cb: true,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  consumer.on('event.error', () => {})
  await new Promise<void>((resolvePromise, reject) =>
    consumer.connect({}, (error) => (error === null ? resolvePromise() : reject(error))),
  )
  consumer.subscribe([options.topic])
  consumer.consume()
  return consumer
}

export function stopConsumer(consumer: RdkafkaConsumer): Promise<void> {
  return new Promise((resolvePromise, reject) =>
    consumer.disconnect((error) =>
      error === null || error === undefined ? resolvePromise() : reject(error),
    ),
  )
}

/** The partitions of `topic` a consumer holds now, sorted. */
export function partitionsOf(consumer: RdkafkaConsumer, topic: string): number[] {
  return consumer
    .assignments()
    .filter((entry) => entry.topic === topic)
    .map((entry) => entry.partition)
    .sort((left, right) => left - right)
}
