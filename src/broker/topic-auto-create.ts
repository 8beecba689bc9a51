// Topic auto-creation (`auto.create.topics.enable`, `num.partitions`) through Metadata, answered as
// Kafka 3.x in KRaft mode answers (core/src/main/scala/kafka/server/AutoTopicCreationManager.scala,
// DefaultAutoTopicCreationManager.sendCreateTopicRequest; KafkaApis.handleTopicMetadataRequest):
// the request that creates a topic gets UNKNOWN_TOPIC_OR_PARTITION and no partitions for it (the
// creation goes to the controller; the client asks again after its metadata retry backoff and then
// sees the partitions), and a principal allowed to DESCRIBE but not to CREATE the topic gets
// TOPIC_AUTHORIZATION_FAILED. Produce never creates a topic (Kafka answers UNKNOWN_TOPIC_OR_PARTITION).
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
 * The topic named `name` when it exists. Otherwise, when the broker and the request allow
 * auto-creation, the topic is created with the broker's defaults and the answer is (as Kafka's)
 * UNKNOWN_TOPIC_OR_PARTITION, or TOPIC_AUTHORIZATION_FAILED when the principal may not CREATE it.
 * Returns (not throws) the KafkaError a client should see.
 */
export async function findOrAutoCreateTopic(
  context: RequestContext,
  name: string,
  options: { requestAllows: boolean },
): Promise<TopicDescription | KafkaError> {
  const { settings, logs, log } = context.services
  const existing = logs.getTopic(name)
  if (existing !== undefined) return existing
  if (!settings.autoCreateTopicsEnable || !options.requestAllows) {
    return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`)
  }
  const mayCreate =
    allowsOnCluster(context, AclOperation.CREATE) ||
    allows(context, AclOperation.CREATE, ResourceType.TOPIC, name)
  if (!mayCreate) {
    return new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not authorized to create topic ${name}`)
  }
  const spec = (context.services.stateTopics ?? defaultStateTopicRegistry).get(name)
  const partitionCount = spec?.partitionCount ?? settings.numPartitions
  try {
    await logs.createTopic(name, {
      partitionCount,
      ...(spec === undefined ? {} : { configOverrides: spec.configs }),
    })
    log.info({ topic: name, partitions: partitionCount }, 'auto-created topic')
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error
    // Another request may have created it meanwhile: then it is described as it is.
    return logs.getTopic(name) ?? error
  }
  return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} is being created; ask again`)
}
