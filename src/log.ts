// The process logger: pino. JSON lines on stdout when stdout is not a terminal (log shippers, tests:
// the test helpers read the "broker listening" line); readable one-line text on a terminal. The text
// form is a small formatter of pino's own JSON lines (no worker thread, no extra dependency).

import { type DestinationStream, type Logger, pino } from 'pino'

export type { Logger }

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
/** auto: pretty when stdout is a TTY, JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty'

export function createLogger(level: LogLevel = 'info', format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true)
  const options = { level, base: { service: 'streamline' } }
  return pretty ? pino(options, prettyDestination(process.stdout)) : pino(options)
}

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
}
const levelColors: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' }
/** Fields every line has, not repeated in the text form. */
const omitted = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'err'])

function formatField(value: unknown): string {
  if (typeof value === 'string') return /\s|"/.test(value) ? JSON.stringify(value) : value
  return JSON.stringify(value)
}

/** One pino JSON line as `12:00:00.123 INFO  message key=value …`; an error adds its stack. */
export function formatLogLine(line: string, colors: boolean): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  const level = typeof entry.level === 'number' ? entry.level : 30
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 23)
  const name = levelNames[level] ?? String(level)
  const shownLevel = colors ? `\u001b[${levelColors[level] ?? '0'}m${name}\u001b[0m` : name
  const fields = Object.entries(entry)
    .filter(([key]) => !omitted.has(key))
    .map(([key, value]) => `${key}=${formatField(value)}`)
  let text = `${time} ${shownLevel} ${String(entry.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`
  const error = entry.err as { message?: unknown; stack?: unknown } | undefined
  if (error !== undefined) text += `\n    ${String(error.stack ?? error.message ?? JSON.stringify(error))}`
  return `${text}\n`
}

function prettyDestination(stream: NodeJS.WriteStream): DestinationStream {
  const colors = stream.isTTY === true && process.env.NO_COLOR === undefined
  return {
    write(line: string) {
      stream.write(formatLogLine(line, colors))
    },
  }
}
