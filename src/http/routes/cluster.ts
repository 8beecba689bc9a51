// Admin API: what this cluster is. A single broker answers itself; in cluster mode (docs/cluster.md)
// /api/v1/cluster lists the live brokers, and /members and /leases read PostgreSQL, so every broker
// of the cluster gives the same answer.

import type { ClusterView } from '../../cluster/view.ts'
import { StorageError } from '../../errors.ts'
import { ResourceType } from '../../security/acl/model.ts'
import { type ApiRoutes, objectSchema } from '../api-route.ts'
import { mayDescribe } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

const nullable = (type: string): { type: string[] } => ({ type: [type, 'null'] })

const memberSchema = objectSchema({
  brokerId: { type: 'integer' },
  host: { type: 'string' },
  port: { type: 'integer' },
  rack: nullable('string'),
  live: { type: 'boolean', description: 'Heartbeating within the lease timeout and not deregistered' },
  stopped: { type: 'boolean', description: 'Left the cluster with a graceful stop' },
  epoch: { type: 'integer', description: 'Registrations at this broker id so far' },
  registeredAt: { type: 'string', format: 'date-time' },
  heartbeatAgeMs: { type: 'integer' },
  partitionLeases: { type: 'integer' },
  coordinatorLeases: { type: 'integer' },
})

const partitionLeaseSchema = objectSchema({
  topic: { type: 'string' },
  partition: { type: 'integer' },
  leaderId: nullable('integer'),
  leaderEpoch: { type: 'integer' },
  leaseRemainingMs: nullable('integer'),
  highWatermark: { type: 'integer' },
  logStartOffset: { type: 'integer' },
})

const coordinatorLeaseSchema = objectSchema({
  slot: { type: 'integer' },
  brokerId: nullable('integer'),
  epoch: { type: 'integer' },
  leaseRemainingMs: nullable('integer'),
})

function clusterOf(broker: BrokerView): ClusterView {
  if (broker.cluster === null)
    throw new ApiError(
      404,
      'CLUSTER_MODE_DISABLED',
      'this broker is not in cluster mode (start it with --cluster-metadata and --object-store)',
    )
  return broker.cluster
}

/** PostgreSQL unreachable: 503, as the Kafka side answers a retriable error then. */
async function fromMetadataStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof StorageError) throw new ApiError(503, 'METADATA_STORE_UNAVAILABLE', error.message)
    throw error
  }
}

function registerMembersRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/cluster/members',
      summary: 'Cluster mode: every registered broker, its liveness and the leases it holds',
      tag: 'cluster',
      errors: [404],
      responses: {
        200: {
          description: 'The members, by broker id',
          schema: objectSchema({ members: { type: 'array', items: memberSchema } }),
        },
      },
    },
    async () => {
      const cluster = clusterOf(brokerOf())
      return { members: await fromMetadataStore(() => cluster.members()) }
    },
  )
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/cluster/leases',
      summary: 'Cluster mode: the holder, epoch and remaining time of each partition and coordinator lease',
      tag: 'cluster',
      errors: [404],
      responses: {
        200: {
          description: 'The leases',
          schema: objectSchema({
            partitions: { type: 'array', items: partitionLeaseSchema },
            groupCoordinators: { type: 'array', items: coordinatorLeaseSchema },
          }),
        },
      },
    },
    async () => {
      const cluster = clusterOf(brokerOf())
      return fromMetadataStore(() => cluster.leases())
    },
  )
}

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
            mode: { type: 'string', enum: ['disk', 'memory', 'cluster'] },
            dataDir: { type: ['string', 'null'] },
            playground: { type: 'boolean' },
            topics: { type: 'integer' },
            partitions: { type: 'integer' },
            sizeBytes: { type: 'integer', description: 'Bytes stored in every partition log' },
          }),
        },
      },
    },
    async (request) => {
      const broker = brokerOf()
      // A logged-in user's counts cover the topics it may DESCRIBE, as the topic list does.
      const topics = broker.logs
        .listTopics()
        .filter((topic) => mayDescribe(request, broker, ResourceType.TOPIC, topic.name))
      const { nodeId, host, port } = broker.identity
      // In cluster mode: the live brokers as Metadata lists them, the lowest id as the controller.
      const brokers =
        broker.cluster === null
          ? [{ nodeId, host, port }]
          : broker.cluster.brokers().map((member) => ({
              nodeId: member.brokerId,
              host: member.host,
              port: member.port,
            }))
      let sizeBytes = 0
      for (const topic of topics) {
        for (let partition = 0; partition < topic.partitionCount; partition += 1) {
          sizeBytes += broker.logs.partition(topic.name, partition)?.sizeBytes ?? 0
        }
      }
      return {
        clusterId: broker.logs.clusterId,
        version,
        controllerId: brokers[0]?.nodeId ?? nodeId,
        brokers,
        mode: broker.mode,
        dataDir: broker.dataDir ?? null,
        playground: broker.playground,
        topics: topics.length,
        partitions: topics.reduce((sum, topic) => sum + topic.partitionCount, 0),
        sizeBytes,
      }
    },
  )
  registerMembersRoutes(routes, brokerOf)
}
