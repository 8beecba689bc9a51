// consume --group: reads through a consumer group (@platformatic/kafka's group consumer), from the
// group's committed offsets (or earliest/latest where none is committed), and commits what it has
// handed on: every commitIntervalMs and at the end. Without --follow it stops once every assigned
// partition has reached the end offset seen at start, or after idleStopMs without a record.
import type { Consumer, Message } from '@platformatic/kafka'
import type { CliContext } from '../context.ts'
import type { ConsumedRecord } from './consumed-record.ts'

export interface GroupLoopOptions {
  topic: string
  fallback: 'earliest' | 'latest'
  follow: boolean
  /** End offsets per partition at start (for the stop without --follow). */
  ends: Map<number, bigint>
  isolationLevel: number
  /** Returns false to stop (count reached). */
  onRecord: (record: ConsumedRecord) => boolean | Promise<boolean>
}

const commitIntervalMs = 5000
const idleStopMs = 3000

function toRecord(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: [...message.headers.entries()],
  }
}

export async function groupLoop(
  context: CliContext,
  consumer: Consumer,
  options: GroupLoopOptions,
): Promise<void> {
  let assigned: number[] | null = null
  consumer.on(
    'consumer:group:join',
    (payload: { assignments?: { topic: string; partitions: number[] }[] }) => {
      assigned = (payload.assignments ?? [])
        .filter((entry) => entry.topic === options.topic)
        .flatMap((entry) => entry.partitions)
    },
  )
  const stream = await context.kafka.call(
    `joining the group`,
    consumer.consume({
      topics: [options.topic],
      mode: 'committed',
      fallbackMode: options.fallback,
      autocommit: false,
      maxWaitTime: 500,
      isolationLevel: options.isolationLevel,
    }),
  )
  const lastByPartition = new Map<number, bigint>()
  const committed = new Map<number, bigint>()
  const commit = async (): Promise<void> => {
    const offsets = [...lastByPartition]
      .filter(([partition, offset]) => committed.get(partition) !== offset)
      .map(([partition, offset]) => ({
        topic: options.topic,
        partition,
        offset: offset + 1n,
        leaderEpoch: -1,
      }))
    if (offsets.length === 0) return
    await context.kafka.call('committing offsets', consumer.commit({ offsets }))
    for (const { partition, offset } of offsets) committed.set(partition, offset - 1n)
  }
  let lastActivity = Date.now()
  let lastCommit = Date.now()
  const reachedEnd = (): boolean => {
    if (assigned === null) return false
    return (assigned as number[]).every((partition) => {
      const end = options.ends.get(partition) ?? 0n
      return end === 0n || (lastByPartition.get(partition) ?? -1n) + 1n >= end
    })
  }
  await new Promise<void>((resolve, reject) => {
    let finished = false
    const finish = (error?: unknown): void => {
      if (finished) return
      finished = true
      clearInterval(timer)
      context.interrupt.removeEventListener('abort', onAbort)
      stream.pause()
      if (error === undefined) resolve()
      else reject(error)
    }
    const onAbort = (): void => finish()
    context.interrupt.addEventListener('abort', onAbort)
    const timer = setInterval(() => {
      if (options.follow) return
      if (reachedEnd() || (assigned !== null && Date.now() - lastActivity > idleStopMs)) finish()
    }, 100)
    stream.on('error', (error: unknown) => finish(error))
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (finished) return
      lastActivity = Date.now()
      lastByPartition.set(message.partition, message.offset)
      stream.pause()
      Promise.resolve(options.onRecord(toRecord(message)))
        .then(async (goOn) => {
          if (!goOn) return finish()
          if (Date.now() - lastCommit > commitIntervalMs) {
            lastCommit = Date.now()
            await commit()
          }
          if (!finished) stream.resume()
        })
        .catch((error: unknown) => finish(error))
    })
  })
  await commit()
  await stream.close()
}
