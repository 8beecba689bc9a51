// Admin API: changing a topic. Replace its config overrides, add partitions, delete records before an
// offset (Kafka's DeleteRecords), and the catalogue of topic configs with Kafka's defaults (for forms).
// Errors: 404 unknown topic/partition; 400 INVALID_CONFIG (unknown name or bad value, the broker's
// message), INVALID_PARTITIONS (not more than now), OFFSET_OUT_OF_RANGE (beyond the high watermark).

import { topicConfigDefinitions } from '../../storage/topic-config.ts'
import { type ApiRoutes, objectSchema, topicNameParam } from '../api-route.ts'
import type { BrokerView } from '../context.ts'
import { ApiError, notFound } from '../errors.ts'
import { detailOf, topicDetail, topicOrFail } from './topics.ts'

export function registerTopicAdminRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  const topicParams = objectSchema({ topic: topicNameParam }, ['topic'])
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/topic-configs',
      summary: "Every topic config: type, Kafka's default, valid values and documentation",
      tag: 'topics',
      responses: {
        200: {
          description: 'Config definitions by name',
          schema: objectSchema({
            configs: {
              type: 'array',
              items: objectSchema({
                name: { type: 'string' },
                type: { type: 'string' },
                defaultValue: { type: 'string' },
                doc: { type: 'string' },
                valid: { type: 'object' },
              }),
            },
          }),
        },
      },
    },
    async () => ({
      configs: topicConfigDefinitions.map(({ name, type, defaultValue, doc, valid }) => ({
        name,
        type,
        defaultValue,
        doc,
        valid,
      })),
    }),
  )
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/topics/:topic/configs',
      summary: "Replace a topic's config overrides (configs not named return to their defaults)",
      tag: 'topics',
      params: topicParams,
      body: objectSchema({ configs: { type: 'object', additionalProperties: { type: 'string' } } }, [
        'configs',
      ]),
      responses: { 200: { description: 'The topic', schema: topicDetail } },
      errors: [404],
    },
    async (request) => {
      const broker = brokerOf()
      const topic = topicOrFail(broker, (request.params as { topic: string }).topic)
      const { configs } = request.body as { configs: Record<string, string> }
      const updated = await broker.logs.setTopicConfig(topic.name, configs)
      return detailOf(broker.logs, updated, broker.identity.nodeId)
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/topics/:topic/partitions',
      summary: 'Add partitions: give the new total count',
      tag: 'topics',
      params: topicParams,
      body: objectSchema({ count: { type: 'integer', minimum: 1 } }, ['count']),
      responses: { 200: { description: 'The topic', schema: topicDetail } },
      errors: [404],
    },
    async (request) => {
      const broker = brokerOf()
      const topic = topicOrFail(broker, (request.params as { topic: string }).topic)
      const { count } = request.body as { count: number }
      const updated = await broker.logs.addPartitions(topic.name, count)
      return detailOf(broker.logs, updated, broker.identity.nodeId)
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/topics/:topic/partitions/:partition/delete-records',
      summary: 'Delete the records of a partition before an offset (moves the log start offset)',
      tag: 'topics',
      params: objectSchema({ topic: topicNameParam, partition: { type: 'integer', minimum: 0 } }, [
        'topic',
        'partition',
      ]),
      body: objectSchema({ beforeOffset: { type: 'integer', minimum: 0 } }, ['beforeOffset']),
      responses: {
        200: {
          description: 'The new log start offset',
          schema: objectSchema({ partition: { type: 'integer' }, logStartOffset: { type: 'integer' } }),
        },
      },
      errors: [404],
    },
    async (request) => {
      const broker = brokerOf()
      const { topic: name, partition } = request.params as { topic: string; partition: number }
      topicOrFail(broker, name)
      const log = broker.logs.partition(name, partition)
      if (log === undefined) throw notFound(`partition ${name}-${partition}`)
      const { beforeOffset } = request.body as { beforeOffset: number }
      if (beforeOffset > log.highWatermark) {
        throw new ApiError(
          400,
          'OFFSET_OUT_OF_RANGE',
          `offset ${beforeOffset} is beyond the high watermark ${log.highWatermark}`,
        )
      }
      return { partition, logStartOffset: await log.deleteRecordsBefore(beforeOffset) }
    },
  )
}
