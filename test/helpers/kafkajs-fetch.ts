// kafkajs's own Fetch, without a consumer group: kafkajs's public consumer needs the group
// coordinator APIs (FindCoordinator, JoinGroup, ...), which the consumer-groups issue brings. Until a
// test can use `kafka.consumer()`, this drives kafkajs's internal Cluster and Broker classes (the ones
// its consumer uses), so the Fetch request is encoded, and the response and record batches decoded
// (gzip included), by kafkajs itself. kafkajs 2.x ships these as CommonJS under `kafkajs/src/`.
import { createRequire } from 'node:module'
import { type LogEntry, logLevel } from 'kafkajs'

const require = createRequire(import.meta.url)

export interface KafkajsFetchPartition {
  partition: number
  fetchOffset: string
  maxBytes: number
}

export interface KafkajsFetchOptions {
  maxWaitTime: number
  minBytes: number
  maxBytes: number
  isolationLevel?: number
  topics: { topic: string; partitions: KafkajsFetchPartition[] }[]
}

export interface KafkajsMessage {
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | null | (Buffer | null)[]>
  isControlRecord: boolean
}

export interface KafkajsFetchResponse {
  responses: {
    topicName: string
    partitions: {
      partition: number
      errorCode: number
      highWatermark: string
      messages: KafkajsMessage[]
    }[]
  }[]
}

interface KafkajsBroker {
  fetch(options: KafkajsFetchOptions): Promise<KafkajsFetchResponse>
}

interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  findBroker(options: { nodeId: string }): Promise<KafkajsBroker>
}

type ClusterConstructor = new (options: Record<string, unknown>) => KafkajsCluster

export interface KafkajsFetcher {
  /** Adds topics to the cluster's metadata, so their leaders are known. */
  addTopics(topics: string[]): Promise<void>
  /** kafkajs Broker.fetch against node 0 (the only broker). */
  fetch(options: KafkajsFetchOptions): Promise<KafkajsFetchResponse>
  disconnect(): Promise<void>
  /** kafkajs log entries at WARN and above. */
  logs: string[]
}

export async function connectKafkajsFetcher(
  bootstrap: string,
  requestTimeoutMs = 45_000,
): Promise<KafkajsFetcher> {
  const Cluster = require('kafkajs/src/cluster') as ClusterConstructor
  const { createLogger } = require('kafkajs/src/loggers') as {
    createLogger(options: { level: number; logCreator: unknown }): unknown
  }
  const socketFactory = (require('kafkajs/src/network/socketFactory') as () => unknown)()
  const logs: string[] = []
  const logger = createLogger({
    level: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, log }: LogEntry) => {
        logs.push(`${namespace}: ${log.message}`)
      },
  })
  const cluster = new Cluster({
    logger,
    socketFactory,
    brokers: [bootstrap],
    clientId: 'streamline-kafkajs-fetch',
    connectionTimeout: 10_000,
    requestTimeout: requestTimeoutMs,
    enforceRequestTimeout: true,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    allowAutoTopicCreation: false,
    isolationLevel: 1,
  })
  await cluster.connect()
  return {
    logs,
    async addTopics(topics) {
      for (const topic of topics) await cluster.addTargetTopic(topic)
      await cluster.refreshMetadata()
    },
    async fetch(options) {
      const broker = await cluster.findBroker({ nodeId: '0' })
      return broker.fetch(options)
    },
    disconnect: () => cluster.disconnect(),
  }
}
