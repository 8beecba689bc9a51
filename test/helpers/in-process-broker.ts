// Starts a whole broker in this process (startBroker) on a free port and a temporary data
// directory, for tests that also need the broker's log (to append batches or read topic state
// directly). Clients still connect over TCP, exactly as to the CLI process.
import type { BrokerSettings } from '../../src/broker/handler.ts'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import type { TopicConfigOverrides } from '../../src/storage/topic-config.ts'
import { makeTempDir, removeTempDir } from './broker-process.ts'

export interface InProcessBroker {
  broker: RunningBroker
  /** `host:port`, for clients' bootstrap setting. */
  bootstrap: string
  dataDir: string
  /** Closes the broker and removes its data directory. */
  stop(): Promise<void>
}

export interface InProcessBrokerOptions {
  /** Broker-wide topic config defaults, in Kafka's names. */
  topicDefaults?: TopicConfigOverrides
}

export async function startInProcessBroker(
  settings: Partial<BrokerSettings> = {},
  options: InProcessBrokerOptions = {},
): Promise<InProcessBroker> {
  const dataDir = await makeTempDir()
  const broker = await startBroker({
    dataDir,
    listenAddr: '127.0.0.1:0',
    httpAddr: null,
    logLevel: 'silent',
    settings,
    topicDefaults: options.topicDefaults,
  })
  return {
    broker,
    bootstrap: `${broker.host}:${broker.port}`,
    dataDir,
    async stop() {
      await broker.close()
      await removeTempDir(dataDir)
    },
  }
}
