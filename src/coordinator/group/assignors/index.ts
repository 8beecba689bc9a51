// The server-side assignors this broker offers (`group.consumer.assignors`), by name.

import { rangeAssignor } from './range.ts'
import type { PartitionAssignor } from './types.ts'
import { uniformAssignor } from './uniform.ts'

export type { AssignmentMember, AssignmentSpec, PartitionAssignor } from './types.ts'

export const builtInAssignors: ReadonlyMap<string, PartitionAssignor> = new Map(
  [uniformAssignor, rangeAssignor].map((assignor) => [assignor.name, assignor]),
)
