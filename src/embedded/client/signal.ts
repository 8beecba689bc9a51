// A wake-up between the consumer's fetch loop and its readers: `wait` resolves on the next `notify`
// or after `timeoutMs`, whichever comes first (a waiter registered before it checks never misses one).

export class Signal {
  #waiters: (() => void)[] = []

  notify(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      timer.unref()
      const self = this
      function done(): void {
        clearTimeout(timer)
        self.#waiters = self.#waiters.filter((waiter) => waiter !== done)
        resolve()
      }
      this.#waiters.push(done)
    })
  }
}
