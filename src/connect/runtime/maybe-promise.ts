// A value now or later. Converters and transforms usually answer synchronously; awaiting each of
// their answers costs a microtask per record and stage, which at 100k records/s is most of a core.
// The per-record paths of the task loops chain through `then` below and await only a real promise.

export type MaybePromise<T> = T | Promise<T>

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise
}

/** `next(value)` now when `value` is there, else once it is. */
export function then<T, R>(value: MaybePromise<T>, next: (resolved: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(next) : next(value)
}
