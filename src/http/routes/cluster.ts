// Admin API: what this cluster is (one broker today).

import { type ApiRoutes, objectSchema } from '../api-route.ts'
import type { BrokerView } from '../context.ts'

export function registerClusterRoutes(routes: ApiRoutes, brokerOf: () => BrokerView, version: string): void {
  const brokerSchema = objectSchema({
    nodeId: { type: 'integer' },
    host: { type: 'string' },
    port: { type: 'integer' },
  })
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/cluster',
      summary: 'Cluster id, brokers, version and mode',
      tag: 'cluster',
      responses: {
        200: {
          description: 'The cluster',
          schema: objectSchema({
            clusterId: { type: 'string' },
            version: { type: 'string' },
            controllerId: { type: 'integer' },
            brokers: { type: 'array', items: brokerSchema },
            mode: { type: 'string', enum: ['disk', 'memory'] },
            dataDir: { type: ['string', 'null'] },
            playground: { type: 'boolean' },
            topics: { type: 'integer' },
            partitions: { type: 'integer' },
            sizeBytes: { type: 'integer', description: 'Bytes stored in every partition log' },
          }),
        },
      },
    },
    async () => {
      const broker = brokerOf()
      const topics = broker.logs.listTopics()
      const { nodeId, host, port } = broker.identity
      let sizeBytes = 0
      for (const topic of topics) {
        for (let partition = 0; partition < topic.partitionCount; partition += 1) {
          sizeBytes += broker.logs.partition(topic.name, partition)?.sizeBytes ?? 0
        }
      }
      return {
        clusterId: broker.logs.clusterId,
        version,
        controllerId: nodeId,
        brokers: [{ nodeId, host, port }],
        mode: broker.mode,
        dataDir: broker.dataDir ?? null,
        playground: broker.playground,
        topics: topics.length,
        partitions: topics.reduce((sum, topic) => sum + topic.partitionCount, 0),
        sizeBytes,
      }
    },
  )
}
