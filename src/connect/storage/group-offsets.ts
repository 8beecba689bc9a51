// A sink connector's offsets are its consumer group's (`connect-<name>`): read, altered and reset
// through the Admin API for the offsets endpoints (KIP-875), while the connector is stopped.

import { Admin } from '@platformatic/kafka'
import { errorCodeOf, type KafkaClientOptions } from './kafka-client.ts'

export interface GroupOffset {
  topic: string
  partition: number
  offset: number
}

function admin(options: KafkaClientOptions): Admin {
  return new Admin({
    clientId: options.clientId,
    bootstrapBrokers: options.bootstrap,
    timeout: 30_000,
    retries: 3,
  })
}

export async function listGroupOffsets(options: KafkaClientOptions, groupId: string): Promise<GroupOffset[]> {
  const client = admin(options)
  try {
    const groups = await client.listConsumerGroupOffsets({ groups: [groupId] })
    const out: GroupOffset[] = []
    for (const group of groups)
      for (const topic of group.topics)
        for (const partition of topic.partitions)
          if (partition.committedOffset >= 0n)
            out.push({
              topic: topic.name,
              partition: partition.partitionIndex,
              offset: Number(partition.committedOffset),
            })
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  } finally {
    await client.close()
  }
}

export async function alterGroupOffsets(
  options: KafkaClientOptions,
  groupId: string,
  changes: Array<{ topic: string; partition: number; offset: number | null }>,
): Promise<void> {
  const client = admin(options)
  try {
    const set = changes.filter((change) => change.offset !== null)
    const reset = changes.filter((change) => change.offset === null)
    if (set.length > 0) {
      await client.alterConsumerGroupOffsets({
        groupId,
        topics: groupByTopic(set).map(([name, entries]) => ({
          name,
          partitionOffsets: entries.map((entry) => ({
            partition: entry.partition,
            offset: BigInt(entry.offset ?? 0),
          })),
        })),
      })
    }
    if (reset.length > 0) {
      await client.deleteConsumerGroupOffsets({
        groupId,
        topics: groupByTopic(reset).map(([name, entries]) => ({
          name,
          partitionIndexes: entries.map((entry) => entry.partition),
        })),
      })
    }
  } finally {
    await client.close()
  }
}

/** Deletes the group (every committed offset); a group that does not exist is already reset. */
export async function deleteGroup(options: KafkaClientOptions, groupId: string): Promise<void> {
  const client = admin(options)
  try {
    await client.deleteGroups({ groups: [groupId] })
  } catch (error) {
    if (errorCodeOf(error) !== 69) throw error // GROUP_ID_NOT_FOUND
  } finally {
    await client.close()
  }
}

function groupByTopic<T extends { topic: string }>(entries: T[]): Array<[string, T[]]> {
  const map = new Map<string, T[]>()
  for (const entry of entries) map.set(entry.topic, [...(map.get(entry.topic) ?? []), entry])
  return [...map]
}
