// The classic consumer group protocol's opaque bytes (Kafka's ConsumerProtocol v0): a member's
// subscription (the topics it wants) and the leader's assignment (topic partitions per member), plus
// Kafka's RangeAssignor — so a sink task's group looks to Kafka's tools exactly like a Java consumer's.

export const consumerProtocolType = 'consumer'
export const rangeAssignorName = 'range'

export interface TopicPartition {
  topic: string
  partition: number
}

function writeString(parts: Buffer[], value: string): void {
  const bytes = Buffer.from(value, 'utf8')
  const size = Buffer.alloc(2)
  size.writeInt16BE(bytes.length)
  parts.push(size, bytes)
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeInt16BE(value)
  return buffer
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}

/** ConsumerProtocolSubscription v0: version, topics, user data (null). */
export function encodeSubscription(topics: string[]): Buffer {
  const parts: Buffer[] = [int16(0), int32(topics.length)]
  for (const topic of topics) writeString(parts, topic)
  parts.push(int32(-1))
  return Buffer.concat(parts)
}

/** ConsumerProtocolAssignment v0: version, [topic, partitions], user data (null). */
export function encodeAssignment(partitions: TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  const parts: Buffer[] = [int16(0), int32(byTopic.size)]
  for (const [topic, indexes] of byTopic) {
    writeString(parts, topic)
    parts.push(int32(indexes.length), ...indexes.map(int32))
  }
  parts.push(int32(-1))
  return Buffer.concat(parts)
}

/** Reads what encode* wrote (any version: later versions only append fields). Throws on short input. */
class Cursor {
  private position = 0
  constructor(private readonly buffer: Buffer) {}
  private need(bytes: number): void {
    if (this.position + bytes > this.buffer.length) throw new RangeError('consumer protocol bytes cut short')
  }
  int16(): number {
    this.need(2)
    const value = this.buffer.readInt16BE(this.position)
    this.position += 2
    return value
  }
  int32(): number {
    this.need(4)
    const value = this.buffer.readInt32BE(this.position)
    this.position += 4
    return value
  }
  string(): string {
    const size = this.int16()
    if (size < 0) throw new RangeError('null topic name in consumer protocol bytes')
    this.need(size)
    const value = this.buffer.toString('utf8', this.position, this.position + size)
    this.position += size
    return value
  }
  count(): number {
    const size = this.int32()
    if (size < 0 || size > this.buffer.length)
      throw new RangeError('bad array size in consumer protocol bytes')
    return size
  }
}

export function decodeSubscription(bytes: Buffer): string[] {
  const cursor = new Cursor(bytes)
  cursor.int16()
  return Array.from({ length: cursor.count() }, () => cursor.string())
}

export function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return []
  const cursor = new Cursor(bytes)
  cursor.int16()
  const out: TopicPartition[] = []
  const topics = cursor.count()
  for (let index = 0; index < topics; index++) {
    const topic = cursor.string()
    const partitions = cursor.count()
    for (let entry = 0; entry < partitions; entry++) out.push({ topic, partition: cursor.int32() })
  }
  return out
}

/**
 * Kafka's RangeAssignor: per topic, its subscribers sorted by member id each take a contiguous range;
 * the first `partitions % members` take one more.
 */
export function rangeAssign(
  subscriptions: Map<string, string[]>,
  partitionCounts: Map<string, number>,
): Map<string, TopicPartition[]> {
  const plan = new Map<string, TopicPartition[]>([...subscriptions.keys()].map((member) => [member, []]))
  const topics = new Set([...subscriptions.values()].flat())
  for (const topic of [...topics].sort()) {
    const count = partitionCounts.get(topic) ?? 0
    const members = [...subscriptions]
      .filter(([, wanted]) => wanted.includes(topic))
      .map(([member]) => member)
      .sort()
    const each = Math.floor(count / members.length)
    const extra = count % members.length
    members.forEach((member, index) => {
      const start = each * index + Math.min(index, extra)
      const length = each + (index < extra ? 1 : 0)
      for (let partition = start; partition < start + length; partition++)
        plan.get(member)?.push({ topic, partition })
    })
  }
  return plan
}
