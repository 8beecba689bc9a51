// Repairs state topics an earlier version created with ordinary configs (a Metadata request naming
// `__consumer_offsets` made it a 1-partition topic under `cleanup.policy=delete`, where retention
// would delete committed offsets). Run at start, before the coordinators load: each existing state
// topic gets the spec's configs it lacks (an override of its own is kept) and `cleanup.policy=compact`.
// The partition count is left as found: the coordinators map keys by the topic's actual count (as
// Kafka's partitionFor), so groups and transactions keep their partitions.

import type { Logger } from '../log.ts'
import type { LogManager } from '../storage/types.ts'
import type { StateTopicRegistry } from './state-topics.ts'

/** Corrects the configs of every existing state topic; returns the names of the topics changed. */
export async function repairStateTopics(
  logs: LogManager,
  registry: StateTopicRegistry,
  log: Logger,
): Promise<string[]> {
  const repaired: string[] = []
  for (const spec of registry.all()) {
    const topic = logs.getTopic(spec.name)
    if (topic === undefined) continue
    const corrected: Record<string, string> = { ...spec.configs, ...topic.configOverrides }
    corrected['cleanup.policy'] = spec.configs['cleanup.policy']
    const changed = Object.keys(corrected).filter((name) => topic.configOverrides[name] !== corrected[name])
    if (changed.length === 0) continue
    await logs.setTopicConfig(spec.name, corrected)
    log.warn(
      {
        topic: spec.name,
        was: Object.fromEntries(changed.map((name) => [name, topic.configOverrides[name] ?? null])),
        now: Object.fromEntries(changed.map((name) => [name, corrected[name]])),
        partitions: topic.partitionCount,
      },
      'state topic had ordinary configs (created by an earlier version); corrected',
    )
    repaired.push(spec.name)
  }
  return repaired
}
