// Admin API: topics. List, create (partitions, configs in Kafka's names), describe (configs and
// per-partition offsets and sizes), delete.

import { ResourceType } from '../../security/acl/model.ts'
import { longMax, topicConfigDefinitions } from '../../storage/topic-config.ts'
import type { LogManager, PartitionLog, RemoteStorageState, TopicDescription } from '../../storage/types.ts'
import { type ApiRoutes, type JsonSchema, objectSchema, topicNameParam } from '../api-route.ts'
import { mayDescribe } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { notFound } from '../errors.ts'

const topicSummary = objectSchema(
  {
    name: { type: 'string' },
    topicId: { type: 'string' },
    partitions: { type: 'integer' },
    internal: { type: 'boolean' },
  },
  ['name', 'topicId', 'partitions', 'internal'],
)

const partitionDetail = objectSchema({
  partition: { type: 'integer' },
  leader: { type: 'integer' },
  logStartOffset: { type: 'integer' },
  highWatermark: { type: 'integer' },
  logEndOffset: { type: 'integer' },
  sizeBytes: { type: 'integer', description: 'Bytes on local disk' },
  remoteStorage: {
    ...objectSchema({
      localLogStartOffset: { type: 'integer' },
      latestTieredOffset: { type: 'integer' },
      localSizeBytes: { type: 'integer' },
      remoteSizeBytes: { type: 'integer' },
      remoteSegments: { type: 'integer' },
      pendingUploadBytes: { type: 'integer' },
    }),
    description: 'Tiered storage (remote.storage.enable=true only): local vs remote offsets and sizes',
  },
})

export const topicDetail: JsonSchema = {
  ...topicSummary,
  properties: {
    ...(topicSummary.properties as Record<string, JsonSchema>),
    configs: {
      type: 'array',
      items: objectSchema({
        name: { type: 'string' },
        value: { type: 'string' },
        isDefault: { type: 'boolean' },
      }),
    },
    partitionDetails: { type: 'array', items: partitionDetail },
  },
}

export function isInternalTopic(name: string): boolean {
  return name.startsWith('__')
}

function summaryOf(topic: TopicDescription) {
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitions: topic.partitionCount,
    internal: isInternalTopic(topic.name),
  }
}

function configValue(value: unknown): string {
  return value === longMax ? '9223372036854775807' : String(value)
}

function remoteStorageOf(log: PartitionLog): { remoteStorage?: RemoteStorageState } {
  const state = log.remoteStorageState?.() ?? null
  return state === null ? {} : { remoteStorage: state }
}

export function detailOf(logs: LogManager, topic: TopicDescription, nodeId: number) {
  const configs = topicConfigDefinitions.map((definition) => ({
    name: definition.name,
    value: configValue(topic.config[definition.field]),
    isDefault: topic.configOverrides[definition.name] === undefined,
  }))
  const partitionDetails = []
  for (let partition = 0; partition < topic.partitionCount; partition += 1) {
    const log = logs.partition(topic.name, partition)
    if (log === undefined) continue
    partitionDetails.push({
      partition,
      leader: nodeId,
      logStartOffset: log.logStartOffset,
      highWatermark: log.highWatermark,
      logEndOffset: log.logEndOffset,
      sizeBytes: log.sizeBytes,
      ...remoteStorageOf(log),
    })
  }
  return { ...summaryOf(topic), configs, partitionDetails }
}

export function topicOrFail(broker: BrokerView, name: string): TopicDescription {
  const topic = broker.logs.getTopic(name)
  if (topic === undefined) throw notFound(`topic ${name}`)
  return topic
}

export function registerTopicRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  const topicParams = objectSchema({ topic: topicNameParam }, ['topic'])
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/topics',
      summary: 'List topics',
      tag: 'topics',
      responses: {
        200: {
          description: 'Topics by name',
          schema: { type: 'object', properties: { topics: { type: 'array', items: topicSummary } } },
        },
      },
    },
    async (request) => {
      const broker = brokerOf()
      // A logged-in user sees the topics it may DESCRIBE (as Metadata shows a Kafka client).
      const topics = broker.logs
        .listTopics()
        .filter((topic) => mayDescribe(request, broker, ResourceType.TOPIC, topic.name))
        .sort((a, b) => a.name.localeCompare(b.name))
      return { topics: topics.map(summaryOf) }
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/topics',
      summary: 'Create a topic',
      tag: 'topics',
      body: objectSchema(
        {
          name: topicNameParam,
          partitions: { type: 'integer', minimum: 1 },
          configs: { type: 'object', additionalProperties: { type: 'string' } },
        },
        ['name'],
      ),
      responses: { 201: { description: 'The created topic', schema: topicDetail } },
      errors: [409],
    },
    async (request, reply) => {
      const broker = brokerOf()
      const body = request.body as { name: string; partitions?: number; configs?: Record<string, string> }
      const created = await broker.logs.createTopic(body.name, {
        partitionCount: body.partitions ?? broker.settings.numPartitions,
        configOverrides: body.configs ?? {},
      })
      void reply.status(201)
      return detailOf(broker.logs, created, broker.identity.nodeId)
    },
  )
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/topics/:topic',
      summary: 'Describe a topic: configs and per-partition offsets',
      tag: 'topics',
      params: topicParams,
      responses: { 200: { description: 'The topic', schema: topicDetail } },
      errors: [404],
    },
    async (request) => {
      const broker = brokerOf()
      const topic = topicOrFail(broker, (request.params as { topic: string }).topic)
      return detailOf(broker.logs, topic, broker.identity.nodeId)
    },
  )
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/topics/:topic',
      summary: 'Delete a topic',
      tag: 'topics',
      params: topicParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404],
    },
    async (request, reply) => {
      const broker = brokerOf()
      const topic = topicOrFail(broker, (request.params as { topic: string }).topic)
      await broker.logs.deleteTopic(topic.name)
      return reply.status(204).send()
    },
  )
}
