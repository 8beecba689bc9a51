// Goal: topic operations of the disk engine are atomic across crashes (a crash during delete, create
// or add-partitions never leaves a half topic; a recreated topic never sees old data), and the data
// dir keeps its identity.
// Method: reproduce the file-system state a crash leaves between the steps of each operation
// (the topic file is the commit point), reopen, and check topics, directories and exact data.

import assert from 'node:assert/strict'
import { cp, readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import { appendValues, readAll } from './testing/behaviour-suite.ts'

let dataDir: string
let removeDataDir: () => Promise<void>
beforeEach(async () => {
  ;({ directory: dataDir, remove: removeDataDir } = await temporaryDirectory())
})
afterEach(async () => {
  await removeDataDir()
})

const open = () =>
  openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })

async function partitionDirectories(): Promise<string[]> {
  return (await readdir(dataDir)).filter((name) => /-\d+$/.test(name)).sort()
}

test('crash after the delete committed: the topic and its directories are gone, a new one is empty', async () => {
  const manager = await open()
  await manager.createTopic('t', { partitionCount: 2 })
  await appendValues(manager.partition('t', 0)!, ['old'])
  const topicId = manager.getTopic('t')!.topicId
  await manager.close()
  // deleteTopic removes topics/<topicId>.json first (commit), then renames the directories away.
  await rm(path.join(dataDir, 'topics', `${topicId}.json`))
  const reopened = await open()
  assert.equal(reopened.getTopic('t'), undefined)
  assert.deepEqual(await partitionDirectories(), [])
  await reopened.createTopic('t', { partitionCount: 2 })
  assert.equal(reopened.partition('t', 0)!.logEndOffset, 0)
  await appendValues(reopened.partition('t', 0)!, ['new'])
  assert.deepEqual(await readAll(reopened.partition('t', 0)!), ['0:new'])
  await reopened.close()
})

test('crash before a create committed: its directories are removed and the name is free', async () => {
  const manager = await open()
  await manager.createTopic('n', { partitionCount: 1 })
  await appendValues(manager.partition('n', 0)!, ['ghost'])
  const topicId = manager.getTopic('n')!.topicId
  await manager.close()
  await rm(path.join(dataDir, 'topics', `${topicId}.json`))
  const reopened = await open()
  assert.deepEqual(reopened.listTopics(), [])
  await reopened.createTopic('n', { partitionCount: 1 })
  assert.deepEqual(await readAll(reopened.partition('n', 0)!), [])
  await reopened.close()
})

test('crash before add-partitions committed: the extra directory is an orphan and goes', async () => {
  const manager = await open()
  await manager.createTopic('g', { partitionCount: 2 })
  await appendValues(manager.partition('g', 1)!, ['p1'])
  await manager.close()
  await cp(path.join(dataDir, 'g-1'), path.join(dataDir, 'g-2'), { recursive: true })
  const reopened = await open()
  assert.equal(reopened.getTopic('g')!.partitionCount, 2)
  assert.deepEqual(await partitionDirectories(), ['g-0', 'g-1'])
  const grown = await reopened.addPartitions('g', 3)
  assert.equal(grown.partitionCount, 3)
  assert.deepEqual(await readAll(reopened.partition('g', 2)!), [])
  await reopened.close()
})

test('delete in a running process: directories move away at once and the name is reusable', async () => {
  const manager = await open()
  await manager.createTopic('d', { partitionCount: 3 })
  await appendValues(manager.partition('d', 2)!, ['x'])
  await manager.deleteTopic('d')
  assert.deepEqual(await partitionDirectories(), [])
  await manager.createTopic('d', { partitionCount: 1 })
  assert.deepEqual(await partitionDirectories(), ['d-0'])
  await manager.close()
  const reopened = await open()
  assert.equal(reopened.getTopic('d')!.partitionCount, 1)
  await reopened.close()
})

test('the cluster id is created once per data dir and kept', async () => {
  const first = await open()
  const clusterId = first.clusterId
  assert.match(clusterId, /^[A-Za-z0-9_-]{22}$/)
  await first.close()
  const properties = await readFile(path.join(dataDir, 'meta.properties'), 'utf8')
  assert.equal(properties, `version=1\ncluster.id=${clusterId}\n`)
  const second = await open()
  assert.equal(second.clusterId, clusterId)
  await second.close()
})
