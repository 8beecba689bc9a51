// /admin/loggers (KIP-495): the worker's log level. Streamline logs through one pino logger, so the
// root logger is the one that changes the level; other names are remembered and reported, as Kafka
// lists loggers whose level was set explicitly.

import type { Logger } from '../../log.ts'
import { RestError } from '../runtime/herder.ts'

const levels = new Map([
  ['TRACE', 'trace'],
  ['DEBUG', 'debug'],
  ['INFO', 'info'],
  ['WARN', 'warn'],
  ['ERROR', 'error'],
  ['FATAL', 'fatal'],
  ['OFF', 'silent'],
])

export class Loggers {
  private readonly named = new Map<string, { level: string; last_modified: number }>()

  constructor(private readonly log: Logger) {}

  private rootLevel(): string {
    const level = this.log.level === 'silent' ? 'OFF' : this.log.level.toUpperCase()
    return level
  }

  all(): Record<string, { level: string; last_modified?: number | null }> {
    const out: Record<string, { level: string; last_modified?: number | null }> = {
      root: { level: this.rootLevel(), last_modified: null },
    }
    for (const [name, entry] of [...this.named].sort(([a], [b]) => a.localeCompare(b))) out[name] = entry
    return out
  }

  get(name: string): { level: string; last_modified?: number | null } {
    if (name === 'root') return { level: this.rootLevel(), last_modified: null }
    const entry = this.named.get(name)
    if (entry === undefined) throw new RestError(404, `Logger ${name} not found.`)
    return entry
  }

  /** Sets a level; answers the loggers it changed (Kafka: the logger and its descendants). */
  set(name: string, level: unknown): string[] {
    if (typeof level !== 'string' || level.trim() === '')
      throw new RestError(400, 'The log level must be specified')
    const upper = level.trim().toUpperCase()
    const pinoLevel = levels.get(upper)
    if (pinoLevel === undefined) throw new RestError(400, `Invalid log level '${level}'.`)
    if (name === 'root') {
      this.log.level = pinoLevel
      return ['root', ...[...this.named.keys()].sort()]
    }
    const changed = [name, ...[...this.named.keys()].filter((other) => other.startsWith(`${name}.`))].sort()
    for (const logger of changed) this.named.set(logger, { level: upper, last_modified: Date.now() })
    return changed
  }
}
