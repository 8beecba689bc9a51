// The steps the SQL SIGKILL tests (materialized views, windowed views, streams) share: broker
// processes one after another on one data dir (the first is SIGKILLed, the next restarts on it), the
// source topic, records sent with kafkajs, and statements through the HTTP API.
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Message } from 'kafkajs'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { type ApiAnswer, call } from '../operability/http-client.ts'

export class SqlCrashRun {
  readonly #name: string
  readonly #brokers: BrokerProcess[] = []
  #dataDir: string | undefined

  constructor(name: string) {
    this.#name = name
  }

  /** A broker process on the run's data dir (made on the first call), with extra CLI arguments. */
  async start(args: string[] = []): Promise<BrokerProcess> {
    this.#dataDir ??= await makeTempDir(`streamline-${this.#name}-`)
    const broker = await startBrokerProcess({ dataDir: this.#dataDir, args })
    this.#brokers.push(broker)
    return broker
  }

  async createTopic(broker: BrokerProcess, topic: string, numPartitions: number): Promise<void> {
    const admin = this.#kafka(broker).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions }] })
    await admin.disconnect()
  }

  async send(broker: BrokerProcess, topic: string, messages: Message[]): Promise<void> {
    const producer = this.#kafka(broker).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    await producer.send({ topic, messages })
    await producer.disconnect()
  }

  /** Runs SQL statements on a broker through POST /api/v1/query (with extra body fields). */
  statements(
    broker: BrokerProcess,
    extra: Record<string, unknown> = {},
  ): (sql: string) => Promise<ApiAnswer> {
    return (sql) => call(httpUrlOf(broker), 'POST', '/api/v1/query', { sql, ...extra })
  }

  async close(): Promise<void> {
    for (const broker of this.#brokers) await broker.stop()
    if (this.#dataDir !== undefined) await removeTempDir(this.#dataDir)
  }

  #kafka(broker: BrokerProcess): Kafka {
    return new Kafka({ clientId: this.#name, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  }
}

/** The rows of a 200 answer (anything else fails the test with the body). */
export function rowsOf(answer: ApiAnswer): unknown[][] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return (answer.body as { rows: unknown[][] }).rows
}
