// The registry workload's schemas and the requests of its latency phases (GET by id and lookup),
// built the same way for either load generator (registry-load.ts).

/** The latency phases: GET by id, and a lookup of a registered schema under its subject. */
export type LatencyRequest = 'getById' | 'lookup'

export interface OpenLoopCommand {
  request: LatencyRequest
  rate: number
  seconds: number
  /** Ids 1..schemaCount exist; schema n is under subject `bench-${n % 100}`. */
  schemaCount: number
}

/** The n-th schema the workload registers (under `subjectOf(n)`). */
export const schemaOf = (n: number): string =>
  JSON.stringify({
    type: 'record',
    name: `Bench${n}`,
    fields: [
      { name: 'id', type: 'long' },
      { name: 'payload', type: 'string' },
    ],
  })

export const subjectOf = (n: number): string => `bench-${n % 100}`

export type RequestBytes = (method: string, path: string, body?: string) => Buffer

/** Every distinct request of a phase: GET of ids 1..schemaCount, or the lookup of each schema. */
export function phaseRequests(requestBytes: RequestBytes, command: OpenLoopCommand): Buffer[] {
  return Array.from({ length: command.schemaCount }, (_, n) =>
    command.request === 'getById'
      ? requestBytes('GET', `/schemas/ids/${1 + n}`)
      : requestBytes('POST', `/subjects/${subjectOf(n)}`, JSON.stringify({ schema: schemaOf(n) })),
  )
}

/**
 * The bytes of the next random request of a phase (the Node generator). Every request's bytes are
 * built before the phase's schedule starts (10,000 buffers, ~3 MB for lookups): built per send, each
 * lookup cost the generator ~1 KB of garbage (a schema object, its JSON, the head, two buffers and
 * their concatenation) and its young-generation pauses (1-2 ms, several a second, up to 40 ms on the
 * loaded machine) delayed the sends behind them. Those pauses were counted as the registry's latency
 * (the generator measures from each request's scheduled time, as it must), though they were the
 * generator's own.
 */
export function requestMaker(requestBytes: RequestBytes, command: OpenLoopCommand): () => Buffer {
  const requests = phaseRequests(requestBytes, command)
  return () => requests[Math.floor(Math.random() * requests.length)]
}
