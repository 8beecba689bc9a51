// A member's partitions as KIP-848 keeps them: topic id → sorted partition numbers. Topics without
// partitions are left out, so two equal assignments have the same entries. Values are never mutated.

export type Assignment = ReadonlyMap<string, readonly number[]>

export const emptyAssignment: Assignment = new Map()

/** An assignment from (topic id, partitions) pairs; partitions are sorted, duplicates dropped. */
export function assignmentOf(entries: Iterable<readonly [string, Iterable<number>]>): Assignment {
  const merged = new Map<string, Set<number>>()
  for (const [topicId, partitions] of entries) {
    const set = merged.get(topicId) ?? new Set<number>()
    for (const partition of partitions) set.add(partition)
    merged.set(topicId, set)
  }
  const result = new Map<string, number[]>()
  for (const topicId of [...merged.keys()].sort()) {
    const partitions = [...(merged.get(topicId) ?? [])].sort((a, b) => a - b)
    if (partitions.length > 0) result.set(topicId, partitions)
  }
  return result
}

/** From the wire or record form (`[{ topicId, partitions }]`). */
export function assignmentFromTopicPartitions(
  topicPartitions: readonly { topicId: string; partitions: readonly number[] }[],
): Assignment {
  return assignmentOf(topicPartitions.map((entry) => [entry.topicId, entry.partitions] as const))
}

/** To the wire or record form, topics in id order. */
export function toTopicPartitions(assignment: Assignment): { topicId: string; partitions: number[] }[] {
  return [...assignment].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] }))
}

export function assignmentsEqual(left: Assignment, right: Assignment): boolean {
  if (left.size !== right.size) return false
  for (const [topicId, partitions] of left) {
    const other = right.get(topicId)
    if (other === undefined || other.length !== partitions.length) return false
    for (let index = 0; index < partitions.length; index++)
      if (partitions[index] !== other[index]) return false
  }
  return true
}

export function partitionCount(assignment: Assignment): number {
  let count = 0
  for (const partitions of assignment.values()) count += partitions.length
  return count
}

export function hasPartition(assignment: Assignment, topicId: string, partition: number): boolean {
  return assignment.get(topicId)?.includes(partition) ?? false
}

/** Whether every partition of `owned` is in `assignment` (Kafka's isSubset; null owns nothing known). */
export function ownedIsSubset(
  owned: readonly { topicId: string; partitions: readonly number[] }[] | null,
  assignment: Assignment,
): boolean {
  if (owned === null) return false
  return owned.every((entry) =>
    entry.partitions.every((partition) => hasPartition(assignment, entry.topicId, partition)),
  )
}

/** Whether `owned` still names any partition of `assignment` (null: unknown, so assumed yes). */
export function ownsAnyOf(
  owned: readonly { topicId: string; partitions: readonly number[] }[] | null,
  assignment: Assignment,
): boolean {
  if (owned === null) return true
  return owned.some((entry) =>
    entry.partitions.some((partition) => hasPartition(assignment, entry.topicId, partition)),
  )
}
