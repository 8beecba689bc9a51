import { startBroker } from './src/broker/start.ts'
import { makeTempDir } from './test/helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody } from './test/helpers/kafka-codec-client.ts'
const dir = await makeTempDir()
const broker = await startBroker({ dataDir: dir, listenAddr: '127.0.0.1:0', httpAddr: null, logLevel: 'warn' })
const client = await CodecClient.open(broker.host, broker.port)
for (const n of [240, 245, 249]) {
  const r = await client.request(19, 7, createTopicsRequestBody([{ name: 'b'.repeat(n), numPartitions: 1 }]))
  console.log(n, r.topics[0].errorCode, r.topics[0].errorMessage)
}
client.close(); await broker.close(); process.exit(0)
