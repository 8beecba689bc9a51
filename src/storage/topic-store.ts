// Topic metadata on disk: `<dataDir>/topics/<topicId>.json` = { name, topicId, partitionCount,
// configOverrides }. Files are named by id, not name: a 249-character topic name (Kafka's limit)
// plus `.json.tmp` would exceed the file system's 255-byte name limit.
// This file is the truth about which topics exist: a partition directory whose topic file is missing,
// or whose partition number is not below the topic's count, is an orphan (a crash during create,
// delete or add-partitions) and is removed when the data dir opens. So each of those operations is
// atomic: the directories change first, the topic file (written atomically) commits the change.

import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { ensureDirectory, syncDirectory, unlinkIfExists, writeFileAtomic } from './file-io.ts'
import type { TopicConfigOverrides } from './topic-config.ts'

export const topicsDirectory = 'topics'

export interface StoredTopic {
  name: string
  topicId: string
  partitionCount: number
  configOverrides: TopicConfigOverrides
}

function topicFile(dataDir: string, topicId: string): string {
  return path.join(dataDir, topicsDirectory, `${topicId}.json`)
}

export async function writeStoredTopic(dataDir: string, topic: StoredTopic): Promise<void> {
  await ensureDirectory(path.join(dataDir, topicsDirectory))
  await writeFileAtomic(topicFile(dataDir, topic.topicId), JSON.stringify(topic))
}

export async function removeStoredTopic(dataDir: string, topic: StoredTopic): Promise<void> {
  await unlinkIfExists(topicFile(dataDir, topic.topicId))
  await syncDirectory(path.join(dataDir, topicsDirectory))
}

/** Topic files read at once while opening (a data dir of 100 topics read one by one waited 100 times). */
const topicReadConcurrency = 64

export async function readStoredTopics(dataDir: string): Promise<StoredTopic[]> {
  const directory = path.join(dataDir, topicsDirectory)
  await ensureDirectory(directory)
  const files: string[] = []
  for (const name of await readdir(directory)) {
    if (name.endsWith('.json')) files.push(name)
    else if (name.endsWith('.tmp')) await unlinkIfExists(path.join(directory, name))
  }
  const topics: StoredTopic[] = []
  for (let first = 0; first < files.length; first += topicReadConcurrency) {
    const batch = files.slice(first, first + topicReadConcurrency)
    const texts = await Promise.all(batch.map((name) => readFile(path.join(directory, name), 'utf8')))
    for (const text of texts) topics.push(JSON.parse(text) as StoredTopic)
  }
  return topics
}
