// Consumer-group members as child processes, one per consumer, for the classic-group tests: a member
// can leave cleanly ("close" on its stdin) or die without a LeaveGroup (SIGKILL). Each member script
// (members/) prints JSON events, one per line; this file keeps them, the records consumed and the
// partitions owned, and waits (bounded) for conditions on them. Also: topic creation and producing
// known records with kafkajs, and the checks shared by the group tests.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Kafka, logLevel } from 'kafkajs'
import { repositoryRoot } from '../../helpers/broker-process.ts'
import { debianPython } from '../../helpers/clients.ts'
import { type TestRecord, testRecord } from '../../helpers/data-path-records.ts'

export type MemberClient = 'kafkajs' | 'confluent-kafka' | 'kafka-python'

export interface MemberSpec {
  bootstrap: string
  group: string
  topic: string
  client_id: string
  /** Client-specific settings (librdkafka properties, KafkaConsumer kwargs, kafkajs consumer config). */
  config?: Record<string, unknown>
}

export interface MemberEvent {
  event: 'started' | 'assigned' | 'revoked' | 'record' | 'state' | 'error' | 'closed'
  partitions?: number[]
  owned?: number[]
  protocol?: string
  generation?: number | null
  generationId?: number | null
  member_id?: string | null
  memberId?: string | null
  message?: string
  [field: string]: unknown
}

export interface MemberState {
  generation: number | null
  memberId: string | null
  owned: number[]
}

const membersDir = join(import.meta.dirname, 'members')
const closeTimeoutMs = 20_000
const pollIntervalMs = 50

// Safety net: a test file that fails half-way must not leave consumers running.
const liveMembers = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveMembers) child.kill('SIGKILL')
})

function memberCommand(client: MemberClient, spec: MemberSpec): { command: string; args: string[] } {
  const json = JSON.stringify(spec)
  if (client === 'kafkajs') {
    return {
      command: process.execPath,
      args: ['--import', 'tsx', join(membersDir, 'kafkajs-member.ts'), json],
    }
  }
  const script = client === 'confluent-kafka' ? 'confluent_member.py' : 'kafka_python_member.py'
  return { command: debianPython, args: ['-c', readFileSync(join(membersDir, script), 'utf8'), json] }
}

/** Resolves once `condition()` holds; rejects after `timeoutMs` with `describe()` in the message. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs))
  }
}

export class GroupMember {
  readonly events: MemberEvent[] = []
  readonly records: TestRecord[] = []
  owned: number[] = []
  exited = false
  #stderr = ''
  readonly #child: ChildProcess

  private constructor(
    readonly client: MemberClient,
    readonly name: string,
    child: ChildProcess,
  ) {
    this.#child = child
    liveMembers.add(child)
    child.once('exit', () => {
      this.exited = true
      liveMembers.delete(child)
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-20_000)
    })
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.#onLine(line))
  }

  static start(client: MemberClient, spec: MemberSpec): GroupMember {
    const { command, args } = memberCommand(client, spec)
    const env = { ...process.env }
    delete env.NODE_TEST_CONTEXT // node:test sets it for its own children; a member is not one
    const child = spawn(command, args, { cwd: repositoryRoot, stdio: ['pipe', 'pipe', 'pipe'], env })
    return new GroupMember(client, spec.client_id, child)
  }

  #onLine(line: string): void {
    if (!line.startsWith('{')) return
    const event = JSON.parse(line) as MemberEvent
    this.events.push(event)
    if (event.owned !== undefined) this.owned = event.owned
    if (event.event === 'record') {
      this.records.push(
        testRecord({
          partition: event.partition as number,
          offset: event.offset as number,
          key: event.key as string | null,
          value: event.value as string | null,
          headers: event.headers as [string, string | null][],
          timestamp: event.timestamp as number,
        }),
      )
    }
  }

  /** Assignment events ("assigned"/"revoked") from `fromIndex` on. */
  rebalanceEvents(fromIndex = 0): MemberEvent[] {
    return this.events
      .slice(fromIndex)
      .filter((event) => event.event === 'assigned' || event.event === 'revoked')
  }

  errors(): string[] {
    return this.events.filter((event) => event.event === 'error').map((event) => String(event.message))
  }

  describe(): string {
    const tail = this.events
      .filter((event) => event.event !== 'record')
      .slice(-12)
      .map((event) => JSON.stringify(event))
    return (
      `${this.name} (${this.client}${this.exited ? ', exited' : ''}): owns [${this.owned}], ` +
      `${this.records.length} records; last events:\n    ${tail.join('\n    ')}\n    stderr: ${this.#stderr.slice(-2_000)}`
    )
  }

  #send(command: string): void {
    this.#child.stdin?.write(`${command}\n`)
  }

  async state(timeoutMs = 10_000): Promise<MemberState> {
    const from = this.events.length
    this.#send('state')
    let found: MemberEvent | undefined
    await waitUntil(
      () => {
        found = this.events.slice(from).find((event) => event.event === 'state')
        return found !== undefined
      },
      timeoutMs,
      () => `a state event from ${this.describe()}`,
    )
    const event = found as MemberEvent
    return {
      generation: (event.generation ?? event.generationId ?? null) as number | null,
      memberId: (event.member_id ?? event.memberId ?? null) as string | null,
      owned: event.owned ?? [],
    }
  }

  /** Asks the consumer to close (a clean leave) and waits until the process has exited. */
  async close(): Promise<void> {
    this.#send('close')
    await waitUntil(
      () => this.exited,
      closeTimeoutMs,
      () => `a clean close of ${this.describe()}`,
    )
    assert.ok(
      this.events.some((event) => event.event === 'closed'),
      `${this.name} exited without closing: ${this.describe()}`,
    )
  }

  /** SIGKILL: no LeaveGroup, no commit, no goodbye. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL')
    await waitUntil(
      () => this.exited,
      closeTimeoutMs,
      () => `${this.name} to die`,
    )
  }
}

/** Waits until the members' owned partitions are disjoint and cover 0..partitions-1 exactly. */
export async function waitForDisjointCover(
  members: GroupMember[],
  partitions: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitUntil(
    () => isDisjointCover(members, partitions),
    timeoutMs,
    () =>
      `${what}: disjoint assignments covering ${partitions} partitions\n  ${members.map((m) => m.describe()).join('\n  ')}`,
  )
}

export function isDisjointCover(members: GroupMember[], partitions: number): boolean {
  const all = members.flatMap((member) => member.owned)
  const unique = new Set(all)
  return (
    all.length === partitions &&
    unique.size === partitions &&
    [...unique].every((p) => p >= 0 && p < partitions)
  )
}

// ---------------------------------------------------------------- topics and records (kafkajs)

export function testKafka(bootstrap: string, clientId = 'streamline-groups-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.NOTHING,
  })
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = testKafka(bootstrap).admin()
  await admin.connect()
  try {
    assert.equal(
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }),
      true,
    )
  } finally {
    await admin.disconnect()
  }
}

/**
 * Produces `records` (acks=all) in one request per partition, in order, and checks that each landed at
 * the offset the record names.
 */
export async function produceRecords(bootstrap: string, topic: string, records: TestRecord[]): Promise<void> {
  const producer = testKafka(bootstrap, 'streamline-groups-producer').producer({
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  try {
    const partitions = [...new Set(records.map((record) => record.partition))].sort((a, b) => a - b)
    for (const partition of partitions) {
      const mine = records.filter((record) => record.partition === partition)
      const [result] = await producer.send({
        topic,
        acks: -1,
        messages: mine.map((record) => ({
          partition,
          key: record.key,
          value: record.value,
          headers: Object.fromEntries(record.headers.map(([name, value]) => [name, value ?? undefined])),
          timestamp: String(record.timestamp),
        })),
      })
      assert.equal(result.errorCode, 0)
      assert.equal(Number(result.baseOffset), mine[0].offset, `base offset of partition ${partition}`)
    }
  } finally {
    await producer.disconnect()
  }
}

/**
 * At-least-once: every record consumed is one that was produced, exactly as produced (duplicates of the
 * same offset are identical), and every expected record was consumed at least once.
 */
export function assertConsumedSet(consumed: TestRecord[], expected: TestRecord[], what: string): void {
  const byPosition = new Map(expected.map((record) => [`${record.partition}/${record.offset}`, record]))
  const seen = new Set<string>()
  for (const record of consumed) {
    const position = `${record.partition}/${record.offset}`
    const want = byPosition.get(position)
    assert.ok(
      want !== undefined,
      `${what}: consumed a record that was not produced: ${JSON.stringify(record)}`,
    )
    assert.deepEqual(record, want, `${what}: record at ${position} differs from what was produced`)
    seen.add(position)
  }
  const missing = expected.filter((record) => !seen.has(`${record.partition}/${record.offset}`))
  assert.deepEqual(
    missing.map((record) => `${record.partition}/${record.offset}`),
    [],
    `${what}: ${missing.length} of ${expected.length} records never consumed`,
  )
}
