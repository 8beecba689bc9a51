// What source and sink tasks share (Kafka's WorkerTask): the run loop, pause/resume, stop, and status
// reports (RUNNING, PAUSED, FAILED with its trace). A subclass implements one `iteration()`: poll and
// send (source) or consume and put (sink).

import type { Logger } from '../../log.ts'
import type { State } from '../storage/status-store.ts'
import { traceOf } from './error-handling.ts'

export interface TaskId {
  connector: string
  task: number
}

export type TaskStatusListener = (id: TaskId, state: State, trace: string | null) => void

const pausedWaitMs = 100

export abstract class WorkerTask {
  private stopping = false
  private paused: boolean
  private loop: Promise<void> | null = null
  failed = false

  constructor(
    readonly id: TaskId,
    protected readonly log: Logger,
    private readonly onStatus: TaskStatusListener,
    options: { paused: boolean },
  ) {
    this.paused = options.paused
  }

  get isStopping(): boolean {
    return this.stopping
  }

  /** Starts the task and its loop; resolves once it runs (the loop goes on in the background). */
  start(): void {
    this.loop = this.run()
  }

  private async run(): Promise<void> {
    try {
      await this.initialize()
      this.onStatus(this.id, this.paused ? 'PAUSED' : 'RUNNING', null)
      while (!this.stopping) {
        if (this.paused) {
          await new Promise((resolve) => setTimeout(resolve, pausedWaitMs))
          continue
        }
        await this.iteration()
      }
    } catch (error) {
      if (this.stopping) return
      this.failed = true
      this.log.error({ err: error, connector: this.id.connector, task: this.id.task }, 'task failed')
      this.onStatus(this.id, 'FAILED', traceOf(error))
    } finally {
      await this.close().catch((error: unknown) =>
        this.log.warn(
          { err: error, connector: this.id.connector, task: this.id.task },
          'closing a task failed',
        ),
      )
    }
  }

  pause(): void {
    if (this.paused || this.failed) return
    this.paused = true
    this.onStatus(this.id, 'PAUSED', null)
  }

  resume(): void {
    if (!this.paused || this.failed) return
    this.paused = false
    this.onStatus(this.id, 'RUNNING', null)
  }

  /** Stops the loop after the current iteration and releases everything (commits what it can). */
  async stop(): Promise<void> {
    this.stopping = true
    await this.loop
  }

  protected abstract initialize(): Promise<void>
  protected abstract iteration(): Promise<void>
  /** Commits what may be committed and releases resources (called once, after the loop). */
  protected abstract close(): Promise<void>
}
