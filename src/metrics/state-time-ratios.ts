// Time spent in each state since the first one (Kafka Connect's StateTracker, behind a task's
// running-ratio and pause-ratio): unlike the sampled stats these cover the whole life of the tracked
// thing, as Kafka's do. A change to the same state is ignored; before any state every ratio is 0.

export class StateTimeRatios<S extends string> {
  private currentState: S | null = null
  private sinceMs = 0
  private firstMs = 0
  /** Time in each earlier state, up to the last change. */
  private readonly totals = new Map<S, number>()

  get current(): S | null {
    return this.currentState
  }

  change(state: S, nowMs: number): void {
    if (this.currentState === state) return
    if (this.currentState === null) this.firstMs = nowMs
    else this.totals.set(this.currentState, (this.totals.get(this.currentState) ?? 0) + nowMs - this.sinceMs)
    this.currentState = state
    this.sinceMs = nowMs
  }

  /** The share of the time since the first state spent in `state` (NaN at the very instant of the first, as Kafka's 0/0). */
  ratio(state: S, nowMs: number): number {
    if (this.currentState === null) return 0
    const inState = (this.totals.get(state) ?? 0) + (state === this.currentState ? nowMs - this.sinceMs : 0)
    return inState / (nowMs - this.firstMs)
  }
}
