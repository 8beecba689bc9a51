// Kafka's WorkerGroupMember + WorkerCoordinator: this worker's membership in the Connect group
// (`group.id`, protocol type `connect`) through the broker's classic group protocol — FindCoordinator,
// JoinGroup (KIP-394 member id first), SyncGroup (the leader sends every member its assignment),
// Heartbeat, LeaveGroup — with @platformatic/kafka's request codecs on one coordinator connection.
// One loop owns the membership: join when asked (a heartbeat saw REBALANCE_IN_PROGRESS, work was
// revoked, a scheduled delay ran out, the leader saw the configs change), heartbeat otherwise. While a
// rebalance runs there is no known leader (the REST layer answers 409 for what needs one).

import {
  Connection,
  findCoordinatorV4,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  syncGroupV5,
} from '@platformatic/kafka'
import type { Logger } from '../../log.ts'
import type { SampleWindow } from '../../metrics/sampled-stat.ts'
import { errorCodeOf } from '../storage/kafka-client.ts'
import {
  type ConfiguredWork,
  eagerAssign,
  IncrementalCooperativeAssignor,
  type MemberState,
} from './assignor.ts'
import {
  type Allocation,
  assignmentConfigMismatch,
  assignmentNoError,
  type ConnectAssignment,
  type ConnectProtocolName,
  connectProtocolType,
  decodeAssignment,
  decodeWorkerState,
  emptyAllocation,
  encodeAssignment,
  encodeWorkerState,
} from './connect-protocol.ts'
import { RebalanceMetrics } from './rebalance-metrics.ts'

/** Kafka's `connect.protocol`: eager (protocol "default") or compatible (incremental cooperative). */
export type ConnectProtocolSetting = 'eager' | 'compatible'

export interface GroupMemberSettings {
  bootstrap: string[]
  clientId: string
  groupId: string
  /** This worker's REST URL, sent to the leader (Kafka: the advertised listener). */
  url: string
  protocol: ConnectProtocolSetting
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  scheduledRebalanceMaxDelayMs: number
  /** The metrics sample window of rebalance-avg/max-time-ms (Kafka's default 2 × 30 s when absent). */
  metricsWindow?: SampleWindow
  log: Logger
}

/** What the member needs from the worker. */
export interface GroupMemberListener {
  /** Offset of the last connect-configs record applied (-1: none). */
  configOffset(): number
  readConfigToEnd(): Promise<void>
  configuredWork(): ConfiguredWork
  currentAllocation(): Allocation
  /** Stops what is revoked (all of it before an eager rejoin). */
  onRevoked(revoked: Allocation): Promise<void>
  /** Applies an assignment: full (eager) or what is gained and revoked (incremental). */
  onAssigned(
    assignment: ConnectAssignment,
    options: { incremental: boolean; generation: number },
  ): Promise<void>
}

const errorCodes = {
  coordinatorLoadInProgress: 14,
  coordinatorNotAvailable: 15,
  notCoordinator: 16,
  illegalGeneration: 22,
  unknownMemberId: 25,
  rebalanceInProgress: 27,
  memberIdRequired: 79,
} as const
const retryBackoffMs = 500
const stablePollMs = 50

export class WorkerGroupMember {
  private connection: Connection | null = null
  private memberId = ''
  private running = false
  private loop: Promise<void> = Promise.resolve()
  private needsJoin = true
  private wake: (() => void) | null = null
  private rejoinTimer: NodeJS.Timeout | null = null
  private currentProtocol: ConnectProtocolName | null = null
  private readonly assignor: IncrementalCooperativeAssignor
  generation = -1
  /** The leader's REST URL, or null while a rebalance runs (or before the first one). */
  leaderUrl: string | null = null
  isLeader = false
  /** connect-worker-rebalance-metrics (read by /metrics). */
  readonly rebalanceMetrics: RebalanceMetrics
  /** Every member's REST URL as the leader last saw them (empty on followers). */
  readonly log: Logger

  constructor(
    private readonly settings: GroupMemberSettings,
    private readonly listener: GroupMemberListener,
  ) {
    this.log = settings.log
    this.assignor = new IncrementalCooperativeAssignor(settings.scheduledRebalanceMaxDelayMs)
    this.rebalanceMetrics = new RebalanceMetrics(settings.groupId, settings.protocol, settings.metricsWindow)
  }

  start(): void {
    this.running = true
    this.loop = this.run()
  }

  /** Resolves true once the group has a leader again (at once when it has), false after `timeoutMs`. */
  async whenStable(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.leaderUrl === null && this.running && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, stablePollMs))
    return this.leaderUrl !== null
  }

  /** Asks for a rebalance (Kafka: requestRejoin), e.g. when the set of connectors or tasks changed. */
  requestRejoin(): void {
    this.needsJoin = true
    this.wake?.()
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.connection === null) this.connection = await this.coordinatorConnection()
        if (this.needsJoin) await this.joinAndSync(this.connection)
        else {
          await heartbeatV4.api.async(
            this.connection,
            this.settings.groupId,
            this.generation,
            this.memberId,
            null,
          )
          await this.sleep(this.settings.heartbeatIntervalMs)
        }
      } catch (error) {
        if (!this.running) return
        await this.onError(error)
      }
    }
  }

  private async onError(error: unknown): Promise<void> {
    const code = errorCodeOf(error)
    if (code === errorCodes.rebalanceInProgress || code === errorCodes.illegalGeneration) {
      this.needsJoin = true
      return
    }
    if (code === errorCodes.unknownMemberId) {
      this.memberId = ''
      this.needsJoin = true
      return
    }
    if (
      code !== errorCodes.notCoordinator &&
      code !== errorCodes.coordinatorNotAvailable &&
      code !== errorCodes.coordinatorLoadInProgress
    )
      this.log.warn({ err: error, group: this.settings.groupId }, 'Connect group membership failed; retrying')
    await this.closeConnection()
    this.leaderUrl = null
    await new Promise((resolve) => setTimeout(resolve, retryBackoffMs))
  }

  private async coordinatorConnection(): Promise<Connection> {
    const bootstrap = await this.connect(this.settings.bootstrap[0])
    try {
      const found = await findCoordinatorV4.api.async(bootstrap, 0, [this.settings.groupId])
      const coordinator = found.coordinators[0]
      return await this.connect(`${coordinator.host}:${coordinator.port}`)
    } finally {
      await bootstrap.close().catch(() => undefined)
    }
  }

  private async connect(address: string): Promise<Connection> {
    const cut = address.lastIndexOf(':')
    const connection = new Connection(this.settings.clientId, {
      connectTimeout: 10_000,
      // JoinGroup waits for every member, up to the rebalance timeout.
      requestTimeout: this.settings.rebalanceTimeoutMs + 5_000,
    })
    await connection.connect(address.slice(0, cut).replace(/^\[|\]$/g, ''), Number(address.slice(cut + 1)))
    return connection
  }

  private protocols(): Array<{ name: ConnectProtocolName; metadata: Buffer }> {
    const base = { url: this.settings.url, configOffset: this.listener.configOffset() }
    const eager = {
      name: 'default' as const,
      metadata: encodeWorkerState({ ...base, version: 0, allocation: null }),
    }
    if (this.settings.protocol === 'eager') return [eager]
    const allocation = this.listener.currentAllocation()
    return [{ name: 'compatible', metadata: encodeWorkerState({ ...base, version: 1, allocation }) }, eager]
  }

  private async joinAndSync(connection: Connection): Promise<void> {
    this.leaderUrl = null
    this.rebalanceMetrics.rebalanceStarted(Date.now())
    this.cancelRejoinTimer()
    // Eager: everything stops before the member rejoins (Kafka's onJoinPrepare revokes all).
    if (this.currentProtocol === 'default') await this.listener.onRevoked(this.listener.currentAllocation())
    const join = await this.join(connection)
    this.generation = join.generationId
    this.currentProtocol = join.protocolName === 'compatible' ? 'compatible' : 'default'
    this.isLeader = join.leader === this.memberId
    const assignments = this.isLeader ? await this.leaderAssignments(join.members, this.currentProtocol) : []
    const sync = await syncGroupV5.api.async(
      connection,
      this.settings.groupId,
      this.generation,
      this.memberId,
      null,
      connectProtocolType,
      this.currentProtocol,
      assignments,
    )
    const assignment = decodeAssignment(sync.assignment)
    this.needsJoin = false
    if (assignment.error === assignmentConfigMismatch) {
      await this.listener.readConfigToEnd()
      this.needsJoin = true
      return
    }
    this.leaderUrl = assignment.leaderUrl
    this.log.info(
      {
        group: this.settings.groupId,
        generation: this.generation,
        protocol: this.currentProtocol,
        leader: this.isLeader,
        connectors: assignment.connectors,
        tasks: assignment.tasks.map(({ connector, task }) => `${connector}-${task}`),
        revokedTasks: assignment.revoked.tasks.map(({ connector, task }) => `${connector}-${task}`),
        delayMs: assignment.scheduledDelayMs,
      },
      'Connect group assignment',
    )
    const incremental = this.currentProtocol === 'compatible'
    await this.listener.onAssigned(assignment, { incremental, generation: this.generation })
    this.rebalanceMetrics.rebalanceSucceeded(Date.now(), {
      generation: this.generation,
      leaderUrl: assignment.leaderUrl,
      protocol: incremental ? 'compatible' : 'eager',
    })
    // Revoked work moves in the next round, once it stopped here (Kafka rejoins at once).
    if (assignment.revoked.connectors.length + assignment.revoked.tasks.length > 0) this.needsJoin = true
    else if (assignment.scheduledDelayMs > 0) this.scheduleRejoin(assignment.scheduledDelayMs)
  }

  private async join(connection: Connection): Promise<Awaited<ReturnType<typeof joinGroupV9.api.async>>> {
    const call = () =>
      joinGroupV9.api.async(
        connection,
        this.settings.groupId,
        this.settings.sessionTimeoutMs,
        this.settings.rebalanceTimeoutMs,
        this.memberId,
        null,
        connectProtocolType,
        this.protocols(),
        null,
      )
    try {
      const answer = await call()
      this.memberId = answer.memberId ?? this.memberId
      return answer
    } catch (error) {
      if (errorCodeOf(error) !== errorCodes.memberIdRequired) throw error
      // KIP-394: the first JoinGroup only hands out the member id.
      const response = (error as { response?: { memberId?: string | null } }).response
      this.memberId = response?.memberId ?? ''
      const answer = await call()
      this.memberId = answer.memberId ?? this.memberId
      return answer
    }
  }

  private async leaderAssignments(
    members: Array<{ memberId: string; metadata: Buffer | null }>,
    protocol: ConnectProtocolName,
  ): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    await this.listener.readConfigToEnd()
    const configOffset = this.listener.configOffset()
    const states: MemberState[] = []
    let leaderUrl = this.settings.url
    for (const member of members) {
      let allocation = emptyAllocation()
      try {
        const state = decodeWorkerState(member.metadata ?? Buffer.alloc(0))
        if (member.memberId === this.memberId) leaderUrl = state.url
        allocation = state.allocation ?? emptyAllocation()
      } catch (error) {
        this.log.warn({ err: error, member: member.memberId }, 'unreadable Connect member metadata')
      }
      states.push({ memberId: member.memberId, allocation })
    }
    const work = this.listener.configuredWork()
    const plan =
      protocol === 'default'
        ? eagerAssign(states, work)
        : this.assignor.assign(states, work, this.generation, Date.now())
    return [...plan].map(([memberId, planned]) => ({
      memberId,
      assignment: encodeAssignment({
        version: protocol === 'default' ? 0 : 1,
        error: assignmentNoError,
        leader: this.memberId,
        leaderUrl,
        configOffset,
        ...planned.assigned,
        revoked: planned.revoked,
        scheduledDelayMs: planned.scheduledDelayMs,
      }),
    }))
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wake = () => {
        this.wake = null
        done()
      }
    })
  }

  private scheduleRejoin(delayMs: number): void {
    this.cancelRejoinTimer()
    this.rejoinTimer = setTimeout(() => this.requestRejoin(), delayMs)
    this.rejoinTimer.unref()
  }

  private cancelRejoinTimer(): void {
    if (this.rejoinTimer !== null) clearTimeout(this.rejoinTimer)
    this.rejoinTimer = null
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection
    this.connection = null
    await connection?.close().catch(() => undefined)
  }

  /** Leaves the group (the others rebalance at once) and closes the connection. */
  async stop(): Promise<void> {
    this.running = false
    this.cancelRejoinTimer()
    this.wake?.()
    await this.loop
    if (this.connection !== null && this.memberId !== '') {
      await leaveGroupV5.api
        .async(this.connection, this.settings.groupId, [
          { memberId: this.memberId, reason: 'worker stopping' },
        ])
        .catch((error: unknown) => this.log.warn({ err: error }, 'leaving the Connect group failed'))
    }
    await this.closeConnection()
  }
}
