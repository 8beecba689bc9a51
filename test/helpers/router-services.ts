// The services a Router needs, over an in-memory log: for tests that drive the broker's request path
// (routing, connections, back-pressure) without a whole broker.
import { FetchSessionCache } from '../../src/broker/handlers/fetch/fetch-session-cache.ts'
import type { Router } from '../../src/broker/router.ts'
import { defaultBrokerLimits } from '../../src/config/limits.ts'
import { GroupCoordinator } from '../../src/coordinator/group/group-coordinator.ts'
import { ProducerIdManager } from '../../src/coordinator/txn/producer-id-manager.ts'
import { TransactionCoordinator } from '../../src/coordinator/txn/transaction-coordinator.ts'
import { createLogger } from '../../src/log.ts'
import { createMemoryLogManager } from '../../src/storage/memory/memory-log-manager.ts'

export type RouterServices = ConstructorParameters<typeof Router>[1]

/** Node 0 on 127.0.0.1, no auto-created topics, default limits, a silent log. */
export function memoryRouterServices(): RouterServices {
  const log = createLogger('silent')
  const logs = createMemoryLogManager()
  const groups = new GroupCoordinator({ logs, log })
  const producerIds = new ProducerIdManager({})
  return {
    identity: { nodeId: 0, host: '127.0.0.1', port: 0, rack: null },
    settings: { autoCreateTopicsEnable: false, numPartitions: 1 },
    logs,
    groups,
    transactions: new TransactionCoordinator({ logs, groups, producerIds, log }),
    producerIds,
    log,
    limits: defaultBrokerLimits,
    fetchSessions: new FetchSessionCache(),
    supportedApis: [],
  }
}
