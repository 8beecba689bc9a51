// KafkaOffsetBackingStore: source offsets in `connect-offsets`, keyed as Kafka Connect keys them:
// the JSON array ["<connector>", {<source partition>}] and the offset map as the JSON value (null:
// the offset was reset). Keys are hashed to partitions with the Java client's murmur2, so a Kafka
// Connect worker reading the same topic finds the same records.

import type { Logger } from '../../log.ts'
import type { OffsetMap } from '../sdk/records.ts'
import { KafkaBasedLog, type StateTopic } from './kafka-based-log.ts'
import type { KafkaClientOptions } from './kafka-client.ts'
import { jsonBytes, parseJson } from './state-topics.ts'

export class OffsetStore {
  /** connector → canonical partition JSON → { partition, offset } */
  private readonly offsets = new Map<
    string,
    Map<string, { partition: OffsetMap; offset: OffsetMap | null }>
  >()
  /** connector → canonical partitions whose offset was reset (null) in this topic. */
  private readonly resets = new Map<string, Set<string>>()
  private readonly log: KafkaBasedLog

  constructor(client: KafkaClientOptions, topic: StateTopic, logger: Logger) {
    this.log = new KafkaBasedLog(
      client,
      topic,
      (record) => this.applyRecord(parseJson(record.key), parseJson(record.value)),
      logger,
    )
  }

  start(): Promise<void> {
    return this.log.start()
  }

  stop(): Promise<void> {
    return this.log.stop()
  }

  readToEnd(): Promise<void> {
    return this.log.readToEnd()
  }

  applyRecord(key: unknown, value: unknown): void {
    if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string') return
    const [connector, partition] = key as [string, unknown]
    if (typeof partition !== 'object' || partition === null) return
    const offsets = this.offsets.get(connector) ?? new Map()
    const offset = typeof value === 'object' && value !== null ? (value as OffsetMap) : null
    const resets = this.resets.get(connector) ?? new Set<string>()
    if (offset === null) {
      offsets.delete(canonical(partition))
      resets.add(canonical(partition))
    } else {
      offsets.set(canonical(partition), { partition: partition as OffsetMap, offset })
      resets.delete(canonical(partition))
    }
    this.offsets.set(connector, offsets)
    this.resets.set(connector, resets)
  }

  offset(connector: string, partition: OffsetMap): OffsetMap | null {
    return this.offsets.get(connector)?.get(canonical(partition))?.offset ?? null
  }

  /** This topic has a record for the partition (an offset, or a reset). */
  has(connector: string, partition: OffsetMap): boolean {
    const key = canonical(partition)
    return this.offsets.get(connector)?.has(key) === true || this.resets.get(connector)?.has(key) === true
  }

  /** Partitions reset in this topic (canonical JSON, `canonical()`). */
  resetPartitions(connector: string): string[] {
    return [...(this.resets.get(connector) ?? [])]
  }

  all(connector: string): Array<{ partition: OffsetMap; offset: OffsetMap | null }> {
    return [...(this.offsets.get(connector)?.values() ?? [])]
  }

  /** Writes offsets (null resets a partition) and waits until they are acknowledged. */
  async put(
    connector: string,
    entries: Array<{ partition: OffsetMap; offset: OffsetMap | null }>,
  ): Promise<void> {
    if (entries.length === 0) return
    await this.log.send(
      entries.map(({ partition, offset }) => ({
        key: jsonBytes([connector, partition]),
        value: offset === null ? null : jsonBytes(offset),
      })),
    )
    for (const { partition, offset } of entries) this.applyRecord([connector, partition], offset)
  }
}

/** JSON with keys sorted, so {"a":1,"b":2} and {"b":2,"a":1} name the same source partition. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
