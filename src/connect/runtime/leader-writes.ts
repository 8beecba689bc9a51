// What only the leader of a Connect group writes to connect-configs besides the REST API's config
// writes: a connector's task configs and KIP-618's zombie fencing (the fencing, then the task count
// record). As Kafka's DistributedHerder: a worker that runs a connector and is not the leader sends
// the task configs the connector generated to the leader (`POST /connectors/{name}/tasks`, Kafka's
// internal endpoint) and a worker about to start exactly-once source tasks asks the leader to fence
// (`PUT /connectors/{name}/fence`). The request runs beside the worker's reconcile queue (Kafka: "we
// cannot forward the request on the same thread … we may be kicked out of the worker group") and is
// retried with Kafka's exponential backoff (250 ms doubling to 60 s) until the leader answers; a
// leader that died is replaced by the next rebalance and the retry reaches the new one. With the
// `compatible`/`eager` protocols the requests are not signed (Kafka signs them only with `sessioned`,
// KIP-507, and accepts them unsigned otherwise). A worker alone writes its own.

import type { Logger } from '../../log.ts'
import type { WorkerGroupMember } from '../distributed/group-member.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { ConfigStore } from '../storage/config-store.ts'
import { RestError } from './herder.ts'

/** Kafka's RECONFIGURE_CONNECTOR_TASKS_BACKOFF_INITIAL_MS / _MAX_MS. */
const retryBackoffInitialMs = 250
const retryBackoffMaxMs = 60_000
const leaderRequestTimeoutMs = 30_000

export interface LeaderWritesContext {
  configs: ConfigStore
  member: WorkerGroupMember | null
  /** Is `name` a source connector (fencing is for source connectors only)? */
  isSource(name: string): boolean
  /** Fences every earlier task's transactional id of `name` (Kafka's Admin.fenceProducers). */
  fenceProducers(name: string, taskCount: number): Promise<void>
  /** Reconciles `name` again (after the leader wrote, or for a retry). */
  schedule(name: string): void
  log: Logger
}

type LeaderRequest = { kind: 'tasks'; configs: Properties[] } | { kind: 'fence' }

interface Pending {
  /** What was asked (a later, different request replaces it). */
  key: string
  attempts: number
  timer: NodeJS.Timeout | null
  inFlight: boolean
}

export class LeaderWrites {
  /** Per connector: the request to the leader not yet answered (one at a time). */
  private readonly pending = new Map<string, Pending>()
  /** The leader's fencings in progress, per connector (concurrent requests share one, as Kafka's). */
  private readonly fencings = new Map<string, Promise<void>>()
  private stopped = false

  constructor(private readonly context: LeaderWritesContext) {}

  /** Does this worker write to connect-configs itself (alone, or the group's leader)? */
  private writesItself(): boolean {
    const member = this.context.member
    return member === null || (member.isLeader && member.leaderUrl !== null)
  }

  /** The task configs `name`'s connector generated: written here by a leader (or alone), else sent to it. */
  async submitTaskConfigs(name: string, configs: Properties[]): Promise<void> {
    if (this.writesItself()) {
      await this.writeTaskConfigs(name, configs)
      return
    }
    this.sendToLeader(name, { kind: 'tasks', configs })
  }

  /** Fencing before exactly-once source tasks start: done here by a leader (or alone), else asked of it. */
  async requestFencing(name: string): Promise<void> {
    if (this.writesItself()) {
      await this.fenceZombies(name)
      return
    }
    this.sendToLeader(name, { kind: 'fence' })
  }

  /**
   * The leader's write of task configs (Kafka's putTaskConfigs/writeTaskConfigs). Configs equal to the
   * stored ones are not written again, so a request retried after its answer was lost leaves one copy.
   */
  async writeTaskConfigs(name: string, configs: Properties[]): Promise<void> {
    await this.context.configs.readToEnd()
    if (!this.context.configs.connectorConfigs.has(name))
      throw new RestError(404, `Connector ${name} not found`)
    if (configs.length > 0 && this.context.configs.targetStates.get(name) === 'STOPPED')
      throw new RestError(400, `Cannot submit non-empty set of task configs for stopped connector ${name}`)
    if (sameTaskConfigs(configs, this.context.configs.taskConfigs.get(name) ?? [])) return
    this.context.log.info({ connector: name, tasks: configs.length }, 'writing task configs')
    await this.context.configs.putTaskConfigs(name, configs)
  }

  /**
   * The leader's zombie fencing (Kafka's fenceZombieSourceTasks): when the connector's task count record
   * does not match its task configs, fence the earlier tasks' producers and write the record. Requests
   * that arrive while a fencing runs wait for that one.
   */
  async fenceZombies(name: string): Promise<void> {
    const running = this.fencings.get(name)
    if (running !== undefined) return running
    const fencing = this.fenceOnce(name).finally(() => this.fencings.delete(name))
    this.fencings.set(name, fencing)
    return fencing
  }

  private async fenceOnce(name: string): Promise<void> {
    const { configs } = this.context
    await configs.readToEnd()
    if (!configs.connectorConfigs.has(name)) throw new RestError(404, `Connector ${name} not found`)
    if (!this.context.isSource(name)) throw new RestError(400, `Connector ${name} is not a source connector`)
    const count = (configs.taskConfigs.get(name) ?? []).length
    if (configs.taskCountRecords.get(name) === count) return // already fenced for these tasks
    await this.context.fenceProducers(name, count)
    await configs.putTaskCountRecord(name, count)
  }

  private sendToLeader(name: string, request: LeaderRequest): void {
    if (this.stopped) return
    const key = JSON.stringify(request)
    const current = this.pending.get(name)
    if (current !== undefined && current.key === key) return // asked already; its answer reconciles
    if (current?.timer) clearTimeout(current.timer)
    const entry: Pending = { key, attempts: 0, timer: null, inFlight: false }
    this.pending.set(name, entry)
    this.attempt(name, entry, request)
  }

  private attempt(name: string, entry: Pending, request: LeaderRequest): void {
    entry.timer = null
    entry.inFlight = true
    this.post(name, request).then(
      async () => {
        entry.inFlight = false
        if (this.pending.get(name) !== entry) return
        // The leader wrote (or found nothing to write): read it here before reconciling again.
        await this.context.configs.readToEnd().catch(() => undefined)
        if (this.pending.get(name) === entry) this.pending.delete(name)
        this.context.schedule(name)
      },
      (error: unknown) => {
        entry.inFlight = false
        if (this.stopped || this.pending.get(name) !== entry) return
        const delayMs = Math.min(retryBackoffMaxMs, retryBackoffInitialMs * 2 ** entry.attempts)
        entry.attempts++
        this.context.log.warn(
          { err: error, connector: name, request: request.kind, retryInMs: delayMs },
          'a request to the Connect group leader failed; retrying',
        )
        if (error instanceof LeaderAnswer && error.status === 404) {
          // The connector is gone (deleted meanwhile): nothing to retry.
          this.pending.delete(name)
          return
        }
        entry.timer = setTimeout(() => {
          // A reconcile since may have asked for something else, or nothing.
          if (this.pending.get(name) === entry) this.attempt(name, entry, request)
        }, delayMs)
      },
    )
  }

  /** Kafka's RestClient call to the leader: POST …/tasks with the configs, or PUT …/fence. */
  private async post(name: string, request: LeaderRequest): Promise<void> {
    const member = this.context.member
    const leaderUrl = member?.leaderUrl ?? null
    if (leaderUrl === null) throw new Error('the Connect group has no leader (a rebalance is running)')
    const path = `/connectors/${encodeURIComponent(name)}/${request.kind === 'tasks' ? 'tasks' : 'fence'}`
    const target = new URL(path, leaderUrl)
    this.context.log.info(
      { connector: name, leader: leaderUrl, request: request.kind },
      request.kind === 'tasks' ? 'sending task configs to the leader' : 'asking the leader to fence zombies',
    )
    const answer = await fetch(target, {
      method: request.kind === 'tasks' ? 'POST' : 'PUT',
      headers: request.kind === 'tasks' ? { 'content-type': 'application/json' } : {},
      body: request.kind === 'tasks' ? JSON.stringify(request.configs) : undefined,
      signal: AbortSignal.timeout(leaderRequestTimeoutMs),
    })
    const text = await answer.text()
    if (answer.status >= 300) throw new LeaderAnswer(answer.status, text)
  }

  /** Forgets what waits for the leader (the worker stops, or the connector went). */
  forget(name: string): void {
    const entry = this.pending.get(name)
    if (entry?.timer) clearTimeout(entry.timer)
    this.pending.delete(name)
  }

  stop(): void {
    this.stopped = true
    for (const name of [...this.pending.keys()]) this.forget(name)
  }
}

/** The leader's answer other than 2xx. */
class LeaderAnswer extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`the leader answered ${status}: ${body}`)
  }
}

function canonicalProperties(properties: Properties): string {
  return JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

export function sameProperties(a: Properties, b: Properties): boolean {
  return canonicalProperties(a) === canonicalProperties(b)
}

export function sameTaskConfigs(a: Properties[], b: Properties[]): boolean {
  return a.length === b.length && a.every((config, index) => sameProperties(config, b[index]))
}
