// What a consumer group subscribes to, resolved against the broker's topics: topic names as given,
// plus the topics a member's `subscribedTopicRegex` matches. Kafka compiles the regex with RE2/J;
// here it is a JavaScript RegExp matched against the whole topic name (Java's `matches()`), so the
// common syntax behaves alike, while RE2-only or JS-only constructs differ. Internal topics never
// match a regex. The matches of each regex are cached per group and re-read when the number of
// topics changes or after `regexRefreshIntervalMs`.

import type { LogManager } from '../../storage/types.ts'
import { isKafkaInternalTopic } from '../state-topics.ts'
import type { ConsumerGroup, ConsumerMember, SubscribedTopic } from './consumer-group.ts'

/** Topics that a regex never matches (Kafka's Topic.isInternal). */

/** The regex as Kafka applies it (whole-name match), or an error message when it does not compile. */
export function compileTopicRegex(regex: string): RegExp | string {
  try {
    return new RegExp(`^(?:${regex})$`, 'u')
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

interface RegexMatches {
  topicCount: number
  computedAtMs: number
  names: readonly string[]
}

/** Per group: regex → matching topic names. Evicted with the group. */
const regexCaches = new WeakMap<ConsumerGroup, Map<string, RegexMatches>>()

export class TopicCatalog {
  private readonly logs: LogManager
  readonly regexRefreshIntervalMs: number

  constructor(logs: LogManager, regexRefreshIntervalMs: number) {
    this.logs = logs
    this.regexRefreshIntervalMs = regexRefreshIntervalMs
  }

  /** Names of the topics a regex matches, cached for the group. */
  regexMatches(group: ConsumerGroup, regex: string, nowMs: number): readonly string[] {
    let cache = regexCaches.get(group)
    if (cache === undefined) {
      cache = new Map()
      regexCaches.set(group, cache)
    }
    const topics = this.logs.listTopics()
    const cached = cache.get(regex)
    if (
      cached !== undefined &&
      cached.topicCount === topics.length &&
      nowMs - cached.computedAtMs < this.regexRefreshIntervalMs
    ) {
      return cached.names
    }
    const compiled = compileTopicRegex(regex)
    const names =
      typeof compiled === 'string'
        ? []
        : topics
            .map((topic) => topic.name)
            .filter((name) => !isKafkaInternalTopic(name) && compiled.test(name))
    // Regexes no member uses any more are dropped when the cache is rebuilt; bound it meanwhile.
    if (cache.size >= regexCacheEntriesMax) cache.clear()
    cache.set(regex, { topicCount: topics.length, computedAtMs: nowMs, names })
    return names
  }

  /** The topic names one member subscribes to. */
  memberTopics(group: ConsumerGroup, member: ConsumerMember, nowMs: number): Set<string> {
    const names = new Set(member.subscribedTopicNames)
    if (member.subscribedTopicRegex !== null && member.subscribedTopicRegex !== '') {
      for (const name of this.regexMatches(group, member.subscribedTopicRegex, nowMs)) names.add(name)
    }
    return names
  }

  /** The metadata of the existing topics among `names`, by name (ConsumerGroupPartitionMetadata). */
  metadataOf(names: Iterable<string>): Map<string, SubscribedTopic> {
    const metadata = new Map<string, SubscribedTopic>()
    for (const name of [...names].sort()) {
      const topic = this.logs.getTopic(name)
      if (topic === undefined) continue
      metadata.set(name, { topicId: topic.topicId, topicName: name, numPartitions: topic.partitionCount })
    }
    return metadata
  }

  topicCount(): number {
    return this.logs.listTopics().length
  }

  topicName(topicId: string): string | undefined {
    return this.logs.getTopicById(topicId)?.name
  }
}

/** Regexes cached per group at most; more distinct regexes in one group restart the cache. */
const regexCacheEntriesMax = 64

const groupTopicsCaches = new WeakMap<
  ConsumerGroup,
  {
    subscriptionVersion: number
    regex: { topicCount: number; computedAtMs: number } | null
    names: ReadonlySet<string>
  }
>()

/** Every topic name the members subscribe to. Cached until a subscription changes; when a member
 * subscribes by regex, also until the topic count changes or the regex refresh interval passes
 * (only then are all topics listed). */
export function subscribedTopicNames(
  catalog: TopicCatalog,
  group: ConsumerGroup,
  nowMs: number,
): ReadonlySet<string> {
  const cached = groupTopicsCaches.get(group)
  if (cached !== undefined && cached.subscriptionVersion === group.subscriptionVersion) {
    if (cached.regex === null) return cached.names
    if (
      cached.regex.topicCount === catalog.topicCount() &&
      nowMs - cached.regex.computedAtMs < catalog.regexRefreshIntervalMs
    ) {
      return cached.names
    }
  }
  const usesRegex = [...group.members.values()].some(
    (member) => member.subscribedTopicRegex !== null && member.subscribedTopicRegex !== '',
  )
  const names = groupTopics(catalog, group, nowMs, { memberId: '', member: null })
  groupTopicsCaches.set(group, {
    subscriptionVersion: group.subscriptionVersion,
    regex: usesRegex ? { topicCount: catalog.topicCount(), computedAtMs: nowMs } : null,
    names,
  })
  return names
}

/** Every topic name the members subscribe to, with `replace` standing in for one member (or null
 * to leave that member out). */
export function groupTopics(
  catalog: TopicCatalog,
  group: ConsumerGroup,
  nowMs: number,
  replace: { memberId: string; member: ConsumerMember | null },
): Set<string> {
  const names = new Set<string>()
  for (const member of group.members.values()) {
    if (member.memberId === replace.memberId) continue
    for (const name of catalog.memberTopics(group, member, nowMs)) names.add(name)
  }
  if (replace.member !== null)
    for (const name of catalog.memberTopics(group, replace.member, nowMs)) names.add(name)
  return names
}

export function subscriptionMetadataEqual(
  left: ReadonlyMap<string, SubscribedTopic>,
  right: ReadonlyMap<string, SubscribedTopic>,
): boolean {
  if (left.size !== right.size) return false
  for (const [name, topic] of left) {
    const other = right.get(name)
    if (other === undefined || other.topicId !== topic.topicId || other.numPartitions !== topic.numPartitions)
      return false
  }
  return true
}
