// Goal: idempotent producer state survives restarts: from the snapshot a clean close writes, and,
// without any snapshot (a crash before the first one), by replaying the batch headers of the log.
// Method: a disk log manager in a temp dir; a producer appends, the manager is closed and reopened
// (with and without the snapshot files), then the producer resends and continues.

import assert from 'node:assert/strict'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { it } from 'node:test'
import { ErrorCode } from '../protocol/generated/error-codes.ts'
import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import { rejectsWithCode } from './testing/behaviour-suite.ts'
import { producerBatch } from './testing/idempotence-suite.ts'

async function open(dataDir: string) {
  return openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })
}

async function restartCase(options: { keepSnapshots: boolean }): Promise<void> {
  const { directory, remove } = await temporaryDirectory()
  try {
    const first = await open(directory)
    await first.createTopic('t', { partitionCount: 1 })
    const log = first.partition('t', 0)
    assert.ok(log)
    await log.append(await producerBatch({ producerId: 5n, epoch: 1, sequence: 0, values: ['a'] }), {
      durable: true,
    })
    await log.append(await producerBatch({ producerId: 5n, epoch: 1, sequence: 1, values: ['b', 'c'] }), {
      durable: true,
    })
    await first.close()
    const partitionDir = path.join(directory, 't-0')
    const snapshots = (await readdir(partitionDir)).filter((name) => name.endsWith('.snapshot'))
    assert.deepEqual(snapshots, ['00000000000000000003.snapshot'])
    if (!options.keepSnapshots) for (const name of snapshots) await rm(path.join(partitionDir, name))

    const second = await open(directory)
    const reopened = second.partition('t', 0)
    assert.ok(reopened)
    const resent = await reopened.append(
      await producerBatch({ producerId: 5n, epoch: 1, sequence: 1, values: ['b', 'c'] }),
      {
        durable: true,
      },
    )
    assert.deepEqual([resent.baseOffset, resent.lastOffset], [1, 2])
    await rejectsWithCode(
      reopened.append(await producerBatch({ producerId: 5n, epoch: 1, sequence: 9, values: ['x'] }), {
        durable: true,
      }),
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    )
    const next = await reopened.append(
      await producerBatch({ producerId: 5n, epoch: 1, sequence: 3, values: ['d'] }),
      { durable: true },
    )
    assert.equal(next.baseOffset, 3)
    await second.close()
  } finally {
    await remove()
  }
}

it('restores producer state from the snapshot written on close', () => restartCase({ keepSnapshots: true }))

it('rebuilds producer state from the log when no snapshot exists', () =>
  restartCase({ keepSnapshots: false }))
