// The process logger: pino, one JSON object per line on stdout.

import { type Logger, pino } from 'pino'

export type { Logger }

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'streamline' } })
}
