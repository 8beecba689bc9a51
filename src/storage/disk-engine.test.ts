// Goal: the disk engine passes the shared storage behaviour and idempotent-producer suites.
// Method: a fresh data dir under os.tmpdir() per run, a manual clock, no background timers.

import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import { describeStorageBehaviour, type EngineUnderTest } from './testing/behaviour-suite.ts'
import { describeIdempotentProducers } from './testing/idempotence-suite.ts'

const engine: EngineUnderTest = {
  name: 'disk',
  async open({ clock }) {
    const { directory, remove } = await temporaryDirectory()
    const manager = await openLogManager({
      dataDir: directory,
      clock,
      logger: quietLogger(),
      maintenanceIntervalMs: 0,
      recoveryPointCheckpointIntervalMs: 0,
    })
    return { manager, cleanup: remove }
  },
}

describeStorageBehaviour(engine)
describeIdempotentProducers(engine)
