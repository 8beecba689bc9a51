// Goal: the in-memory engine passes the same behaviour and idempotent-producer suites as the disk engine.
// Method: the shared suite of testing/behaviour-suite.ts with a manual clock and no background timer.

import { quietLogger } from '../testing/batches.ts'
import { describeStorageBehaviour, type EngineUnderTest } from '../testing/behaviour-suite.ts'
import { describeIdempotentProducers } from '../testing/idempotence-suite.ts'
import { createMemoryLogManager } from './memory-log-manager.ts'

const engine: EngineUnderTest = {
  name: 'memory',
  async open({ clock }) {
    const manager = createMemoryLogManager({ clock, logger: quietLogger(), maintenanceIntervalMs: 0 })
    return { manager, cleanup: async () => {} }
  },
}

describeStorageBehaviour(engine)
describeIdempotentProducers(engine)
