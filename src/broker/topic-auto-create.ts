// Topic auto-creation (`auto.create.topics.enable`, `num.partitions`), shared by Metadata and Produce.
// A state topic (`__consumer_offsets`, `_schemas`, …) is created with its own partition count and
// configs (coordinator/state-topics.ts), as Kafka's AutoTopicCreationManager does for internal topics.

import { defaultStateTopicRegistry } from '../coordinator/state-topics.ts'
import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../security/acl/model.ts'
import { allows, allowsOnCluster } from '../security/acl/request.ts'
import type { TopicDescription } from '../storage/types.ts'
import type { RequestContext } from './handler.ts'

/**
 * The topic named `name`, created with the broker's defaults when it does not exist and both the
 * broker and the request allow it (and, with ACLs, the principal may CREATE it). Returns (not throws) the KafkaError a client should see.
 */
export async function findOrAutoCreateTopic(
  context: RequestContext,
  name: string,
  options: { requestAllows: boolean },
): Promise<TopicDescription | KafkaError> {
  const { settings, logs, log } = context.services
  const existing = logs.getTopic(name)
  if (existing !== undefined) return existing
  const mayCreate =
    allowsOnCluster(context, AclOperation.CREATE) ||
    allows(context, AclOperation.CREATE, ResourceType.TOPIC, name)
  if (!settings.autoCreateTopicsEnable || !options.requestAllows || !mayCreate) {
    return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`)
  }
  const spec = (context.services.stateTopics ?? defaultStateTopicRegistry).get(name)
  const partitionCount = spec?.partitionCount ?? settings.numPartitions
  try {
    const topic = await logs.createTopic(name, {
      partitionCount,
      ...(spec === undefined ? {} : { configOverrides: spec.configs }),
    })
    log.info({ topic: name, partitions: partitionCount }, 'auto-created topic')
    return topic
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error
    // Another request may have created it meanwhile.
    return logs.getTopic(name) ?? error
  }
}
