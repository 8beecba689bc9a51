// A kafkajs group member in its own process, so a test can close it cleanly (consumer.disconnect(),
// which sends LeaveGroup) or SIGKILL it. Run: node --import tsx kafkajs-member.ts '<spec json>'
//   spec: {"bootstrap", "group", "topic", "client_id", "config": {extra kafkajs consumer options}}
// Prints the same JSON events as confluent_member.py: "started", "assigned" (kafkajs reports each new
// assignment whole, on GROUP_JOIN; it rebalances eagerly), "record", "state", "error", "closed".
// Commands on stdin: "close" and "state". kafkajs commits after each batch (at-least-once).
import { createInterface } from 'node:readline'
import { type ConsumerConfig, Kafka, type LogEntry, logLevel } from 'kafkajs'

interface MemberSpec {
  bootstrap: string
  group: string
  topic: string
  client_id: string
  config?: Partial<ConsumerConfig>
}

const spec = JSON.parse(process.argv[2] ?? '{}') as MemberSpec
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

const kafka = new Kafka({
  clientId: spec.client_id,
  brokers: [spec.bootstrap],
  connectionTimeout: 10_000,
  requestTimeout: 30_000,
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
  logLevel: logLevel.ERROR,
  logCreator:
    () =>
    ({ namespace, log }: LogEntry) =>
      emit({ event: 'error', message: `${namespace}: ${log.message}` }),
})
const consumer = kafka.consumer({
  groupId: spec.group,
  sessionTimeout: 6_000,
  heartbeatInterval: 500,
  rebalanceTimeout: 20_000,
  metadataMaxAge: 2_000,
  ...spec.config,
})

let owned: number[] = []
let generation: { generationId: number | null; memberId: string | null } = {
  generationId: null,
  memberId: null,
}
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  owned = [...(payload.memberAssignment[spec.topic] ?? [])].sort((a, b) => a - b)
  generation = { generationId: null, memberId: payload.memberId }
  emit({ event: 'assigned', partitions: owned, owned, protocol: 'EAGER' })
})

const text = (value: Buffer | null | undefined): string | null =>
  value == null ? null : value.toString('utf8')

async function main(): Promise<void> {
  await consumer.connect()
  await consumer.subscribe({ topics: [spec.topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.entries(message.headers ?? {}).map(([key, value]) => [
        key,
        Array.isArray(value) ? text(value[0] as Buffer) : text(value as Buffer | undefined),
      ])
      emit({
        event: 'record',
        partition,
        offset: Number(message.offset),
        key: text(message.key),
        value: text(message.value),
        headers,
        timestamp: Number(message.timestamp),
      })
    },
  })
  emit({ event: 'started' })
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim()
  if (command === 'state') emit({ event: 'state', ...generation, owned })
  if (command === 'close') {
    consumer.disconnect().then(
      () => {
        emit({ event: 'closed' })
        process.exit(0)
      },
      (error: unknown) => {
        emit({ event: 'error', message: `disconnect: ${String(error)}` })
        process.exit(1)
      },
    )
  }
})

main().catch((error: unknown) => {
  emit({ event: 'error', message: `start: ${String(error)}` })
  process.exit(1)
})
