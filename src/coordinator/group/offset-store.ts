// Committed offsets in memory, per group and partition: what OffsetFetch answers. Changed only by
// replaying __consumer_offsets records (on load) or after a commit's record is durably written.

export interface CommittedOffset {
  offset: number
  leaderEpoch: number
  metadata: string
  commitTimestampMs: number
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export interface TopicPartitionOffset extends CommittedOffset {
  topic: string
  partition: number
}

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, TopicPartitionOffset>>()

  set(group: string, topic: string, partition: number, committed: CommittedOffset): void {
    let offsets = this.groups.get(group)
    if (offsets === undefined) {
      offsets = new Map()
      this.groups.set(group, offsets)
    }
    offsets.set(partitionKey(topic, partition), { topic, partition, ...committed })
  }

  delete(group: string, topic: string, partition: number): void {
    const offsets = this.groups.get(group)
    if (offsets === undefined) return
    offsets.delete(partitionKey(topic, partition))
    if (offsets.size === 0) this.groups.delete(group)
  }

  get(group: string, topic: string, partition: number): TopicPartitionOffset | undefined {
    return this.groups.get(group)?.get(partitionKey(topic, partition))
  }

  /** Every committed offset of the group, in commit order. */
  all(group: string): TopicPartitionOffset[] {
    return [...(this.groups.get(group)?.values() ?? [])]
  }

  hasOffsets(group: string): boolean {
    return this.groups.has(group)
  }

  groupIds(): string[] {
    return [...this.groups.keys()]
  }
}
