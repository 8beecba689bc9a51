// The topics the members of a "consumer"-type classic group subscribe to, read from their
// ConsumerProtocolSubscription metadata (the format every Kafka consumer uses).

import { decodeConsumerProtocolSubscriptionByVersion } from '../../protocol/generated/consumer-protocol-subscription.ts'
import { Reader } from '../../protocol/reader.ts'
import type { ClassicGroup } from './classic-group.ts'

export function subscribedTopics(group: ClassicGroup): Set<string> {
  const topics = new Set<string>()
  if (group.protocolType !== 'consumer') return topics
  for (const member of group.members.values()) {
    for (const topic of decodeSubscription(group.metadataOf(member))) topics.add(topic)
  }
  return topics
}

/** The topics of one subscription; none when the metadata is not a consumer subscription. */
export function decodeSubscription(metadata: Buffer): string[] {
  if (metadata.length < 2) return []
  try {
    const reader = new Reader(metadata)
    const version = reader.readInt16('version')
    // Newer versions than we know keep the older fields in front (the format only appends).
    const decode =
      decodeConsumerProtocolSubscriptionByVersion[
        Math.min(version, decodeConsumerProtocolSubscriptionByVersion.length - 1)
      ]
    return decode === undefined ? [] : decode(reader).topics
  } catch {
    // A client-specific protocol with other metadata: no subscription to report.
    return []
  }
}
