// Topics and partitions in PostgreSQL: created, changed and deleted in one transaction each, and read
// back whole by every broker's sync loop (cluster-node.ts), which keeps the in-memory view the
// handlers read synchronously (LogManager.getTopic, listTopics).

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'
import type { MetadataDatabase } from './database.ts'
import { releaseTopicObjects } from './log-start.ts'

export interface TopicRow {
  topicId: string
  name: string
  partitionCount: number
  configOverrides: TopicConfigOverrides
}

/** One partition's shared state: its leader (null: none with a valid lease), epoch and offsets. */
export interface PartitionRow {
  topicId: string
  partition: number
  leaderBroker: number | null
  leaderEpoch: number
  highWatermark: number
  logStartOffset: number
}

export async function loadTopics(database: MetadataDatabase): Promise<TopicRow[]> {
  const rows = await database.query<{
    topic_id: string
    name: string
    partition_count: number
    config_overrides: TopicConfigOverrides
  }>('SELECT topic_id, name, partition_count, config_overrides FROM topics ORDER BY name')
  return rows.map((row) => ({
    topicId: row.topic_id,
    name: row.name,
    partitionCount: row.partition_count,
    configOverrides: row.config_overrides,
  }))
}

export async function loadPartitions(database: MetadataDatabase): Promise<PartitionRow[]> {
  const rows = await database.query<{
    topic_id: string
    partition: number
    leader_broker: number | null
    leader_epoch: number
    high_watermark: number
    log_start_offset: number
  }>(
    `SELECT topic_id, partition,
            CASE WHEN lease_expires_at > now() THEN leader_broker END AS leader_broker,
            leader_epoch, high_watermark, log_start_offset
     FROM partitions`,
  )
  return rows.map((row) => ({
    topicId: row.topic_id,
    partition: row.partition,
    leaderBroker: row.leader_broker,
    leaderEpoch: row.leader_epoch,
    highWatermark: Number(row.high_watermark),
    logStartOffset: Number(row.log_start_offset),
  }))
}

/** Inserts the topic and its partitions (no leader yet). Throws TOPIC_ALREADY_EXISTS. */
export async function insertTopic(database: MetadataDatabase, topic: TopicRow): Promise<void> {
  await database.transaction(async (client) => {
    const inserted = await client.query(
      `INSERT INTO topics (topic_id, name, partition_count, config_overrides) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING 1`,
      [topic.topicId, topic.name, topic.partitionCount, JSON.stringify(topic.configOverrides)],
    )
    if (inserted.rowCount !== 1)
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${topic.name}' already exists`)
    await client.query('INSERT INTO partitions (topic_id, partition) SELECT $1, generate_series(0, $2 - 1)', [
      topic.topicId,
      topic.partitionCount,
    ])
  })
}

/** Deletes the topic, its partitions and their object index, and queues the objects no other topic's
 * rows refer to for deletion from the store (log-start.ts, object-cleaner.ts). */
export async function deleteTopicRow(database: MetadataDatabase, name: string): Promise<void> {
  await database.transaction(async (client) => {
    const found = await client.query<{ topic_id: string }>(
      'SELECT topic_id FROM topics WHERE name = $1 FOR UPDATE',
      [name],
    )
    const topic = found.rows[0]
    if (topic === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
    await releaseTopicObjects(client, topic.topic_id)
    await client.query('DELETE FROM topics WHERE topic_id = $1', [topic.topic_id])
  })
}

/** Grows the topic to `partitionCount`. Throws UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS. */
export async function growTopic(
  database: MetadataDatabase,
  name: string,
  partitionCount: number,
): Promise<void> {
  await database.transaction(async (client) => {
    const found = await client.query<{ topic_id: string; partition_count: number }>(
      'SELECT topic_id, partition_count FROM topics WHERE name = $1 FOR UPDATE',
      [name],
    )
    const topic = found.rows[0]
    if (topic === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
    if (partitionCount <= topic.partition_count)
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `topic '${name}' has ${topic.partition_count} partitions; ${partitionCount} is not more`,
      )
    await client.query('UPDATE topics SET partition_count = $2 WHERE topic_id = $1', [
      topic.topic_id,
      partitionCount,
    ])
    await client.query(
      'INSERT INTO partitions (topic_id, partition) SELECT $1, generate_series($2::int, $3 - 1)',
      [topic.topic_id, topic.partition_count, partitionCount],
    )
  })
}

export async function updateTopicOverrides(
  database: MetadataDatabase,
  name: string,
  configOverrides: TopicConfigOverrides,
): Promise<void> {
  const rows = await database.query('UPDATE topics SET config_overrides = $2 WHERE name = $1 RETURNING 1', [
    name,
    JSON.stringify(configOverrides),
  ])
  if (rows.length === 0) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
}
