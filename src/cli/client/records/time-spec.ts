// Points in time for `consume --at/--until`: an ISO date or date-time, epoch milliseconds, `now`,
// `today`, `yesterday` (local midnight), or `<n> <unit> ago` (s, m, h, d, w and their words).
import { parseDurationMs } from '../durations.ts'
import { UsageError } from '../errors.ts'

const unitWords: Record<string, string> = {
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
}

function localMidnight(nowMs: number, daysBack: number): number {
  const date = new Date(nowMs)
  date.setHours(0, 0, 0, 0)
  date.setDate(date.getDate() - daysBack)
  return date.getTime()
}

/** Milliseconds since the epoch for a time the user typed. */
export function parseTimeSpec(text: string, option: string, nowMs = Date.now()): number {
  const spec = text.trim().toLowerCase()
  if (spec === 'now') return nowMs
  if (spec === 'today') return localMidnight(nowMs, 0)
  if (spec === 'yesterday') return localMidnight(nowMs, 1)
  if (/^\d{10,}$/.test(spec)) return Number(spec)
  const ago = /^(\d+(?:\.\d+)?)\s*([a-z]+)\s+ago$/.exec(spec)
  if (ago !== null) {
    const unit = unitWords[ago[2]]
    if (unit === undefined) throw new UsageError(`${option}: unknown unit '${ago[2]}' in '${text}'`)
    return nowMs - parseDurationMs(`${ago[1]}${unit}`, option)
  }
  const parsed = Date.parse(text.trim())
  if (Number.isNaN(parsed)) {
    throw new UsageError(
      `${option}: '${text}' is not a time (examples: 2024-05-01, "2024-05-01 13:00", 1714567890000, yesterday, "1 hour ago")`,
    )
  }
  return parsed
}
