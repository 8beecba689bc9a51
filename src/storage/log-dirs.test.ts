// Goal: a move between log dirs survives a crash at each point (src/storage/log-dirs.ts): before the
// commit (the future directory beside the live one) the move starts again and ends in the destination;
// between the two renames (no live directory, a complete future one) the copy becomes the partition;
// in both cases with the exact records. A future directory of a deleted topic is removed.
// Method: a disk log manager on two directories; the file-system state each crash point leaves is
// made by hand (copy, renames) on a closed manager, which is then reopened.

import assert from 'node:assert/strict'
import { cp, mkdir, readdir, rename } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import { appendValues, readAll } from './testing/behaviour-suite.ts'

let root: string
let removeRoot: () => Promise<void>
beforeEach(async () => {
  ;({ directory: root, remove: removeRoot } = await temporaryDirectory())
})
afterEach(async () => {
  await removeRoot()
})

const dirA = () => path.join(root, 'a')
const dirB = () => path.join(root, 'b')
const open = () =>
  openLogManager({
    dataDir: dirA(),
    logDirs: [dirB()],
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })
const future = 't-0.0123456789abcdef0123456789abcdef-future'

async function waitForPlacement(manager: Awaited<ReturnType<typeof open>>, logDir: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (manager.logDirOf('t', 0) === logDir && manager.futureLogDirOf('t', 0) === undefined) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`t-0 never reached ${logDir}`)
}

async function managerWithRecords() {
  const manager = await open()
  await manager.createTopic('t', { partitionCount: 1 })
  assert.equal(manager.logDirOf('t', 0), dirA())
  await appendValues(manager.partition('t', 0)!, ['a', 'b', 'c'])
  await manager.close()
}

test('a crash before the commit: the move starts again and ends in the destination', async () => {
  await managerWithRecords()
  await mkdir(path.join(dirB(), future)) // marked, copy not done
  const manager = await open()
  await waitForPlacement(manager, dirB())
  assert.deepEqual(await readAll(manager.partition('t', 0)!), ['0:a', '1:b', '2:c'])
  await manager.close()
  assert.deepEqual(await readdir(dirB()), ['t-0'])
  assert.equal((await readdir(dirA())).includes('t-0'), false)
})

test('a crash between the renames: the complete copy becomes the partition', async () => {
  await managerWithRecords()
  await cp(path.join(dirA(), 't-0'), path.join(dirB(), future), { recursive: true })
  await rename(path.join(dirA(), 't-0'), path.join(dirA(), 't-0.fedcba9876543210fedcba9876543210-delete'))
  const manager = await open()
  assert.equal(manager.logDirOf('t', 0), dirB())
  assert.deepEqual(await readAll(manager.partition('t', 0)!), ['0:a', '1:b', '2:c'])
  await manager.close()
  assert.deepEqual(await readdir(dirB()), ['t-0'])
})

test('the future directory of a topic that no longer exists is removed', async () => {
  await managerWithRecords()
  await mkdir(path.join(dirB(), 'gone-0.0123456789abcdef0123456789abcdef-future'))
  const manager = await open()
  assert.deepEqual(await readdir(dirB()), [])
  await manager.close()
})
