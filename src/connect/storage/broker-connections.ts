// Raw connections to the cluster's brokers for the sink consumer (one per broker address, reopened
// after a failure) and the Metadata it needs: each topic's id and partition leaders. A Metadata request
// may auto-create the topics it names (as Kafka's consumer asks by default): the broker decides.

import { Connection, metadataV12 } from '@platformatic/kafka'

export interface TopicLayout {
  topicId: string
  /** Leader node per partition index (-1: none yet). */
  leaders: number[]
}

export interface ClusterLayout {
  brokers: Map<number, string>
  /** Topics that exist with at least one partition (missing ones are absent). */
  topics: Map<string, TopicLayout>
  /** Those of them the broker calls internal (`__consumer_offsets`, …): a pattern never matches them. */
  internalTopics: Set<string>
}

export class BrokerConnections {
  private readonly open = new Map<string, Promise<Connection>>()
  private brokers = new Map<number, string>()

  constructor(
    private readonly clientId: string,
    private readonly bootstrap: string[],
    private readonly requestTimeoutMs: number,
  ) {}

  /** A connection to `address` (host:port), opened once and shared (requests pipeline on it). */
  connection(address: string): Promise<Connection> {
    let found = this.open.get(address)
    if (found === undefined) {
      found = this.connect(address)
      this.open.set(address, found)
      found.catch(() => this.open.delete(address))
    }
    return found
  }

  /** The connection to broker `node` as the last Metadata named it (bootstrap when unknown). */
  node(node: number): Promise<Connection> {
    return this.connection(this.brokers.get(node) ?? this.bootstrapAddress())
  }

  /** Drops (and closes) the connection to `address` so the next request reconnects. */
  async discard(address: string): Promise<void> {
    const found = this.open.get(address)
    this.open.delete(address)
    const connection = await found?.catch(() => null)
    await connection?.close().catch(() => undefined)
  }

  async discardNode(node: number): Promise<void> {
    await this.discard(this.brokers.get(node) ?? this.bootstrapAddress())
  }

  /** Metadata for `topics`; topic-level errors (LEADER_NOT_AVAILABLE while one is created) leave it out. */
  /** The layout of `topics`, or of every topic (null: a pattern subscription's lookup). */
  async metadata(topics: string[] | null, allowAutoTopicCreation: boolean): Promise<ClusterLayout> {
    const address = this.bootstrapAddress()
    let response: Awaited<ReturnType<typeof metadataV12.api.async>>
    try {
      response = await metadataV12.api.async(
        await this.connection(address),
        topics as string[],
        allowAutoTopicCreation,
        false,
      )
    } catch (error) {
      const partial = (error as { response?: typeof response }).response
      if (partial === undefined) {
        await this.discard(address)
        throw error
      }
      response = partial
    }
    this.brokers = new Map(response.brokers.map((broker) => [broker.nodeId, `${broker.host}:${broker.port}`]))
    const layout: ClusterLayout = { brokers: this.brokers, topics: new Map(), internalTopics: new Set() }
    for (const topic of response.topics) {
      if (topic.errorCode !== 0 || typeof topic.name !== 'string' || topic.partitions.length === 0) continue
      if (topic.isInternal) layout.internalTopics.add(topic.name)
      const leaders: number[] = []
      for (const partition of topic.partitions) leaders[partition.partitionIndex] = partition.leaderId
      layout.topics.set(topic.name, {
        topicId: topic.topicId,
        leaders: Array.from(leaders, (id) => id ?? -1),
      })
    }
    return layout
  }

  bootstrapAddress(): string {
    const address = this.bootstrap[0]
    if (address === undefined) throw new Error('no bootstrap server configured')
    return address
  }

  private async connect(address: string): Promise<Connection> {
    const cut = address.lastIndexOf(':')
    const connection = new Connection(this.clientId, {
      connectTimeout: 10_000,
      requestTimeout: this.requestTimeoutMs,
    })
    await connection.connect(address.slice(0, cut).replace(/^\[|\]$/g, ''), Number(address.slice(cut + 1)))
    return connection
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.keys()].map((address) => this.discard(address)))
  }
}
