// The members of a mixed consumer group for migration-mixed.test.ts: kafkajs consumers (classic
// protocol) and node-rdkafka consumers (`group.protocol=consumer`), all writing to one Ledger what
// they own (from their own rebalance events) and what they process, in the order it happens in
// this process. The Ledger's checks are the test's verdict:
// - ownership: no partition is owned by two members at once (kafkajs owns from GROUP_JOIN until it
//   starts rejoining (REBALANCING), crashes or stops; node-rdkafka from its assign callback to its
//   revoke);
// - processing: per partition, every record from offset 0 to the end is processed, and each member
//   that takes over starts at or before the record after the last one processed (at-least-once on
//   a handover, never a gap).

import { setImmediate } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { type RdkafkaConsumer, type RdkafkaMessage, rdkafka, stopConsumer } from './rdkafka.ts'

interface Processed {
  seq: number
  member: string
  partition: number
  offset: number
  value: string
}

interface Ownership {
  member: string
  partition: number
  fromSeq: number
  toSeq: number | null
}

export class Ledger {
  private seq = 0
  readonly processed: Processed[] = []
  private readonly ownership: Ownership[] = []
  /** The members' rebalance and crash events, newest last (bounded), for a failing test's message. */
  readonly events: string[] = []

  /** Notes a member's event (join with its member id and partitions, crash, revoke) for diagnostics. */
  note(member: string, event: string): void {
    this.events.push(`${new Date().toISOString().slice(11, 23)} ${member} ${event}`)
    if (this.events.length > 40) this.events.shift()
  }

  assign(member: string, partitions: readonly number[]): void {
    for (const partition of partitions) {
      if (
        this.ownership.some(
          (entry) => entry.member === member && entry.partition === partition && entry.toSeq === null,
        )
      )
        continue
      this.ownership.push({ member, partition, fromSeq: this.seq++, toSeq: null })
    }
  }

  revoke(member: string, partitions: readonly number[] | 'all'): void {
    for (const entry of this.ownership) {
      if (entry.member !== member || entry.toSeq !== null) continue
      if (partitions === 'all' || partitions.includes(entry.partition)) entry.toSeq = this.seq++
    }
  }

  process(member: string, partition: number, offset: number, value: string): void {
    this.processed.push({ seq: this.seq++, member, partition, offset, value })
  }

  /** Partitions each member owns now, sorted. */
  owners(): Record<string, number[]> {
    const owners: Record<string, number[]> = {}
    for (const entry of this.ownership) {
      if (entry.toSeq !== null) continue
      owners[entry.member] = [...(owners[entry.member] ?? []), entry.partition].sort()
    }
    return owners
  }

  /** Pairs of ownerships of one partition by two members that overlap in time. */
  overlaps(): string[] {
    const found: string[] = []
    for (const [index, left] of this.ownership.entries()) {
      for (const right of this.ownership.slice(index + 1)) {
        if (left.partition !== right.partition || left.member === right.member) continue
        const leftEnd = left.toSeq ?? Number.POSITIVE_INFINITY
        const rightEnd = right.toSeq ?? Number.POSITIVE_INFINITY
        if (left.fromSeq < rightEnd && right.fromSeq < leftEnd)
          found.push(`partition ${left.partition}: ${left.member} and ${right.member}`)
      }
    }
    return found
  }

  /**
   * Per partition: offsets below `endOffsets` that no member processed. Not the order of processing: a
   * handover may legitimately start past records that are still being processed — a revoked librdkafka
   * member's batch loop finishes the batch it already took (and its offsets were stored when it took
   * them) while the next owner starts at that commit; the full suite's load showed exactly that once.
   */
  gaps(endOffsets: readonly number[]): string[] {
    const found: string[] = []
    for (const [partition, end] of endOffsets.entries()) {
      const seen = new Set(
        this.processed.filter((event) => event.partition === partition).map((event) => event.offset),
      )
      const missing = Array.from({ length: end }, (_, offset) => offset).filter((offset) => !seen.has(offset))
      if (missing.length > 0)
        found.push(`partition ${partition}: ${missing.length} offsets never processed, first ${missing[0]}`)
    }
    return found
  }

  /** Records processed more than once (at-least-once on a handover). */
  duplicates(): number {
    const seen = new Set<string>()
    let count = 0
    for (const event of this.processed) {
      const key = `${event.partition}/${event.offset}`
      if (seen.has(key)) count++
      seen.add(key)
    }
    return count
  }
}

export interface Member {
  name: string
  stop(): Promise<void>
}

export async function kafkajsMember(options: {
  name: string
  bootstrap: string
  group: string
  topic: string
  ledger: Ledger
}): Promise<Member> {
  const { name, topic, ledger } = options
  const kafka = new Kafka({
    clientId: name,
    brokers: [options.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    // Rides through the broker's restart (several seconds on a loaded machine) with the same member
    // id. With fewer retries it crashes, rejoins as a new member, and gets the partitions of its old
    // self only when that one's session expires (as in Kafka).
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  const consumer = kafka.consumer({
    groupId: options.group,
    // As the broker's consumer session timeout in migration-mixed.test.ts: never expires during its
    // broker restart; members leave explicitly.
    sessionTimeout: 20_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
  })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    ledger.note(name, `joined as ${payload.memberId}: ${JSON.stringify(payload.memberAssignment)}`)
    ledger.revoke(name, 'all')
    ledger.assign(name, payload.memberAssignment[topic] ?? [])
  })
  consumer.on(consumer.events.REBALANCING, () => {
    ledger.note(name, 'rebalancing')
    ledger.revoke(name, 'all')
  })
  // A broker restart crashes the consumer (connection errors), which stops it and rejoins anew.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    ledger.note(name, `crashed (${payload.error.message}), restart ${payload.restart}`)
    ledger.revoke(name, 'all')
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      ledger.process(name, partition, Number(message.offset), message.value?.toString() ?? '')
    },
  })
  let stopped = false
  return {
    name,
    async stop() {
      if (stopped) return
      stopped = true
      ledger.revoke(name, 'all')
      await consumer.disconnect()
    },
  }
}

export async function rdkafkaMember(options: {
  name: string
  bootstrap: string
  group: string
  topic: string
  ledger: Ledger
}): Promise<Member> {
  const { name, topic, ledger } = options
  const consumer: RdkafkaConsumer = new (rdkafka().KafkaConsumer)(
    {
      'bootstrap.servers': options.bootstrap,
      'group.id': options.group,
      'group.protocol': 'consumer',
      'client.id': name,
      'enable.auto.commit': true,
      'auto.commit.interval.ms': 200,
      'fetch.wait.max.ms': 100,
      // Reconnects to the restarted broker quickly (librdkafka's backoff grows to 10 s by default).
      'reconnect.backoff.max.ms': 1000,
      // node-rdkafka's own callback: incremental assign/unassign, which KIP-848 uses.
      rebalance_cb: true,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  consumer.on('event.error', () => {})
  consumer.on('rebalance', (error, assignment) => {
    const partitions = assignment.filter((entry) => entry.topic === topic).map((entry) => entry.partition)
    ledger.note(name, `${error.code === -175 ? 'assigned' : 'revoked'} ${JSON.stringify(partitions)}`)
    if (error.code === -175) ledger.assign(name, partitions)
    else ledger.revoke(name, partitions)
  })
  await new Promise<void>((resolve, reject) =>
    consumer.connect({}, (error) => (error === null ? resolve() : reject(error))),
  )
  consumer.subscribe([topic])
  // Batches in a loop of our own rather than node-rdkafka's flowing mode: its disconnect() was seen
  // never to call back while the flowing loop had messages in flight (librdkafka itself had closed).
  consumer.setDefaultConsumeTimeout(100)
  let running = true
  const loop = (async () => {
    while (running) {
      const messages = await new Promise<RdkafkaMessage[]>((resolve) =>
        consumer.consume(100, (error, batch) => resolve(error === null ? batch : [])),
      )
      for (const message of messages)
        ledger.process(name, message.partition, message.offset, message.value?.toString() ?? '')
      await setImmediate()
    }
  })()
  return {
    name,
    async stop() {
      if (!running) return
      running = false
      await loop
      // Nothing is processed any more; the broker hands the partitions on once the leave arrives.
      ledger.revoke(name, 'all')
      await stopConsumer(consumer)
    },
  }
}

/** A TCP relay on a free port to whichever broker runs now: the broker advertises the relay's
 * address, so clients keep one address across a broker restart (a new process, a new port). */
export async function startRelay(): Promise<{
  port: number
  target(port: number): void
  close(): Promise<void>
}> {
  const { createServer, connect } = await import('node:net')
  let targetPort = 0
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('relay has no port')
  return {
    port: address.port,
    target(port) {
      targetPort = port
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
