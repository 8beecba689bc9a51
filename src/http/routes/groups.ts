// Admin API: consumer groups. List; describe (members, assignments, committed offsets, lag);
// delete (an empty group and its offsets); reset offsets (earliest, latest, offset, timestamp; dry run).

import { deleteGroup } from '../../coordinator/group/group-admin.ts'
import { ErrorCode, errorName } from '../../protocol/generated/error-codes.ts'
import { ResourceType } from '../../security/acl/model.ts'
import { type ApiRoutes, type JsonSchema, objectSchema, topicNameParam } from '../api-route.ts'
import { mayDescribe } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'
import { clusterGroupList, groupDetail, resetOffsets, resetTargetOf } from '../groups.ts'

const groupParams = objectSchema({ group: { type: 'string', minLength: 1 } }, ['group'])
const partitionOffset = objectSchema({
  topic: { type: 'string' },
  partition: { type: 'integer' },
  committedOffset: { type: 'integer' },
  logEndOffset: { type: 'integer' },
  lag: { type: 'integer' },
  metadata: { type: 'string' },
})
const groupSummary = objectSchema({
  groupId: { type: 'string' },
  state: { type: 'string' },
  protocolType: { type: 'string' },
})
const member: JsonSchema = objectSchema({
  memberId: { type: 'string' },
  groupInstanceId: { type: ['string', 'null'] },
  clientId: { type: 'string' },
  clientHost: { type: 'string' },
  assignment: {
    type: 'array',
    items: objectSchema({
      topic: { type: 'string' },
      partitions: { type: 'array', items: { type: 'integer' } },
    }),
  },
})

export function registerGroupRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/groups',
      summary: 'List consumer groups',
      tag: 'groups',
      responses: {
        200: {
          description: 'Groups by id',
          schema: objectSchema({ groups: { type: 'array', items: groupSummary } }),
        },
      },
    },
    async (request) => {
      const broker = brokerOf()
      const groups = (await clusterGroupList(broker)).filter((group) =>
        mayDescribe(request, broker, ResourceType.GROUP, group.groupId),
      )
      return { groups }
    },
  )
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/groups/:group',
      summary: 'Describe a group: members, assignments, committed offsets and lag',
      tag: 'groups',
      params: groupParams,
      responses: {
        200: {
          description: 'The group',
          schema: objectSchema({
            ...(groupSummary.properties as Record<string, JsonSchema>),
            protocol: { type: 'string' },
            members: { type: 'array', items: member },
            offsets: { type: 'array', items: partitionOffset },
          }),
        },
      },
      errors: [404],
    },
    async (request) => {
      const broker = brokerOf()
      return groupDetail(broker.groups, broker.logs, (request.params as { group: string }).group)
    },
  )
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/groups/:group',
      summary: 'Delete an empty group and its committed offsets',
      tag: 'groups',
      params: groupParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404, 409],
    },
    async (request, reply) => {
      const { group } = request.params as { group: string }
      const errorCode = await deleteGroup(brokerOf().groups, group)
      if (errorCode !== ErrorCode.NONE) {
        const status =
          errorCode === ErrorCode.GROUP_ID_NOT_FOUND
            ? 404
            : errorCode === ErrorCode.NON_EMPTY_GROUP
              ? 409
              : 503
        throw new ApiError(status, errorName(errorCode), `group ${group}: ${errorName(errorCode)}`)
      }
      return reply.status(204).send()
    },
  )
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/groups/:group/offsets/reset',
      summary: "Reset a group's committed offsets of a topic (the group must have no active members)",
      tag: 'groups',
      params: groupParams,
      body: objectSchema(
        {
          topic: topicNameParam,
          partitions: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
          to: { type: 'string', enum: ['earliest', 'latest', 'offset', 'timestamp', 'shift'] },
          offset: { type: 'integer', minimum: 0 },
          timestamp: { type: 'integer', minimum: 0 },
          shift: {
            type: 'integer',
            minimum: -(2 ** 53 - 1),
            maximum: 2 ** 53 - 1,
            description: 'to=shift: added to the committed offset (negative: back), kept within the log',
          },
          dryRun: { type: 'boolean', default: false },
        },
        ['topic', 'to'],
      ),
      responses: {
        200: {
          description: 'Old and new offset per partition (committed unless dryRun)',
          schema: objectSchema({
            groupId: { type: 'string' },
            dryRun: { type: 'boolean' },
            partitions: {
              type: 'array',
              items: objectSchema({
                topic: { type: 'string' },
                partition: { type: 'integer' },
                previousOffset: { type: ['integer', 'null'] },
                newOffset: { type: 'integer' },
              }),
            },
          }),
        },
      },
      errors: [404, 409],
    },
    async (request) => {
      const broker = brokerOf()
      const { group } = request.params as { group: string }
      const body = request.body as {
        topic: string
        partitions?: number[]
        to: string
        offset?: number
        timestamp?: number
        shift?: number
        dryRun: boolean
      }
      return resetOffsets(broker.groups, broker.logs, group, {
        topic: body.topic,
        partitions: body.partitions,
        target: resetTargetOf(body),
        dryRun: body.dryRun,
      })
    },
  )
}
