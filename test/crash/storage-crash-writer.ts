// Child process of storage-crash.test.ts: opens the data dir given as argv[2] (recovering it if the
// last run was killed), then appends durable batches to two partitions with several concurrent
// appenders, forever, printing `ack <partition> <offset> <value>` on stdout after each append
// resolved. The parent kills it with SIGKILL at a random moment.

import { writeSync } from 'node:fs'
import { openLogManager } from '../../src/storage/log-manager.ts'
import { makeBatch, quietLogger } from '../../src/storage/testing/batches.ts'

const dataDir = process.argv[2]
const run = process.argv[3]
const appendersPerPartition = 4
const partitions = 2

const manager = await openLogManager({ dataDir, logger: quietLogger(), maintenanceIntervalMs: 0 })
if (manager.getTopic('crash') === undefined) {
  await manager.createTopic('crash', {
    partitionCount: partitions,
    configOverrides: { 'segment.bytes': '65536' },
  })
}
writeSync(1, 'ready\n')

let sequence = 0
async function appender(partition: number): Promise<void> {
  const log = manager.partition('crash', partition)!
  for (;;) {
    const value = `${run}-${sequence}`
    sequence += 1
    // 1 to 3 records, values padded to vary batch sizes (rolls happen every few hundred batches).
    const count = 1 + (sequence % 3)
    const records = Array.from({ length: count }, (_, index) => ({
      value: `${value}/${index}/${'x'.repeat(sequence % 200)}`,
    }))
    const result = await log.append(await makeBatch(records), { durable: true })
    writeSync(1, `ack ${partition} ${result.baseOffset} ${value} ${count}\n`)
  }
}

const appenders: Promise<void>[] = []
for (let partition = 0; partition < partitions; partition += 1) {
  for (let index = 0; index < appendersPerPartition; index += 1) appenders.push(appender(partition))
}
await Promise.all(appenders)
