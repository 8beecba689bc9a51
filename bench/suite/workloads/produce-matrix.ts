// The produce cases of issue #9: 100 B and 1 KiB records, 16 KiB and 1 MiB batches, acks=1 and
// acks=all, 1/16/1,000 partitions, 1 and 32 connections, plus the 16-producer pair the group-commit
// target compares. The full cross product is 48 cases (~8 s each with broker start, warm-up and a 5 s
// phase: over the time budget), so the full run takes every record size × batch × acks
// combination on four partition/connection shapes, which still covers each value of each axis:
//   p1 c1 (one producer), p1 c32 (many producers, one log), p16 c32, p1000 c32 (the partition cliff).
// --quick keeps only the cases the three targets need.

export interface ProduceCase {
  recordBytes: 100 | 1024
  batchBytes: 16_384 | 1_048_576
  acks: 1 | -1
  partitions: 1 | 16 | 1000
  connections: 1 | 16 | 32
}

/** Requests in flight per connection: the Java producer's max.in.flight.requests.per.connection. */
export const inFlightPerConnection = 5

const shapes: ReadonlyArray<Pick<ProduceCase, 'partitions' | 'connections'>> = [
  { partitions: 1, connections: 1 },
  { partitions: 1, connections: 32 },
  { partitions: 16, connections: 32 },
  { partitions: 1000, connections: 32 },
]

/** The cases the targets are computed from (every run has them). */
export const targetCases = {
  /** vs the socket-to-file baseline (one connection, like the baseline). */
  ingest: { recordBytes: 1024, batchBytes: 1_048_576, acks: 1, partitions: 1, connections: 1 },
  /** Group commit: acks=all against acks=1, 16 producers on one partition. */
  groupCommitAll: { recordBytes: 1024, batchBytes: 16_384, acks: -1, partitions: 1, connections: 16 },
  groupCommitOne: { recordBytes: 1024, batchBytes: 16_384, acks: 1, partitions: 1, connections: 16 },
  /** The partition cliff: 1,000 partitions against 1, same load. */
  partitionsMany: { recordBytes: 1024, batchBytes: 16_384, acks: 1, partitions: 1000, connections: 32 },
  partitionsOne: { recordBytes: 1024, batchBytes: 16_384, acks: 1, partitions: 1, connections: 32 },
} as const satisfies Record<string, ProduceCase>

export function produceCases(quick: boolean): ProduceCase[] {
  const targets = Object.values(targetCases) as ProduceCase[]
  if (quick) return targets
  const cases: ProduceCase[] = []
  for (const shape of shapes) {
    for (const recordBytes of [100, 1024] as const) {
      for (const batchBytes of [16_384, 1_048_576] as const) {
        for (const acks of [1, -1] as const) cases.push({ recordBytes, batchBytes, acks, ...shape })
      }
    }
  }
  for (const target of targets)
    if (!cases.some((known) => caseId(known) === caseId(target))) cases.push(target)
  return cases
}

/** `produce.1k.batch1m.acks1.p1.c1`: the measurement id prefix of a case. */
export function caseId(produceCase: ProduceCase): string {
  const record = produceCase.recordBytes === 1024 ? '1k' : `${produceCase.recordBytes}b`
  const batch = produceCase.batchBytes === 1_048_576 ? 'batch1m' : 'batch16k'
  const acks = produceCase.acks === -1 ? 'acksall' : 'acks1'
  return `produce.${record}.${batch}.${acks}.p${produceCase.partitions}.c${produceCase.connections}`
}

export function caseLabel(produceCase: ProduceCase): string {
  const record = produceCase.recordBytes === 1024 ? '1 KiB' : `${produceCase.recordBytes} B`
  const batch = produceCase.batchBytes === 1_048_576 ? '1 MiB' : '16 KiB'
  const partitions =
    produceCase.partitions === 1
      ? '1 partition'
      : `${produceCase.partitions.toLocaleString('en-US')} partitions`
  const connections =
    produceCase.connections === 1 ? '1 connection' : `${produceCase.connections} connections`
  const acks = produceCase.acks === -1 ? 'all' : '1'
  return `produce ${record} records, ${batch} batches, acks=${acks}, ${partitions}, ${connections}`
}
