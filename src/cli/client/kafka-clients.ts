// The Kafka side of the CLI: @platformatic/kafka's Admin, Producer and Consumer, created on first use
// with the resolved connection settings, and closed together at the end of a command. The library is
// imported lazily so `--version`, `--help` and `completions` never load it.
//
// Every broker call goes through `call()`, which races it against the command's --timeout: an
// unreachable or silent broker fails with one clear line instead of hanging.
import { readFileSync } from 'node:fs'
import type { Admin, Connection, Consumer, Producer } from '@platformatic/kafka'
import { CliFailure, describeError } from './errors.ts'
import type { ResolvedSettings, SaslSettings } from './settings.ts'

type PlatformaticModule = typeof import('@platformatic/kafka')

let platformatic: Promise<PlatformaticModule> | undefined
export function loadPlatformatic(): Promise<PlatformaticModule> {
  platformatic ??= import('@platformatic/kafka')
  return platformatic
}

export interface ClientCommonOptions {
  clientId: string
  bootstrapBrokers: string[]
  timeout: number
  connectTimeout: number
  requestTimeout: number
  retries: number
  retryDelay: number
  sasl?: SaslSettings
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean }
}

export function clientOptionsOf(settings: ResolvedSettings): ClientCommonOptions {
  const options: ClientCommonOptions = {
    clientId: 'streamline-cli',
    bootstrapBrokers: settings.bootstrap,
    timeout: settings.timeoutMs,
    connectTimeout: Math.min(settings.timeoutMs, 5000),
    requestTimeout: settings.timeoutMs,
    retries: 1,
    retryDelay: 200,
  }
  if (settings.sasl !== undefined) options.sasl = { ...settings.sasl }
  if (settings.tls !== undefined) {
    const read = (path: string | undefined): Buffer | undefined =>
      path === undefined ? undefined : readFileSync(path)
    options.tls = {
      ca: read(settings.tls.caFile),
      cert: read(settings.tls.certFile),
      key: read(settings.tls.keyFile),
      rejectUnauthorized: true,
    }
  }
  return options
}

export class KafkaClients {
  readonly settings: ResolvedSettings
  #admin: Admin | undefined
  #producers: Producer[] = []
  #consumers: Consumer[] = []

  constructor(settings: ResolvedSettings) {
    this.settings = settings
  }

  get bootstrapText(): string {
    return this.settings.bootstrap.join(',')
  }

  /** Races `operation` against --timeout; a client error becomes one CLI line. */
  async call<T>(what: string, operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CliFailure(
              `timed out after ${this.settings.timeoutMs} ms ${what} (is a broker running at ${this.bootstrapText}?)`,
            ),
          ),
        this.settings.timeoutMs,
      )
    })
    try {
      return await Promise.race([operation, deadline])
    } catch (error) {
      if (error instanceof CliFailure) throw error
      throw new CliFailure(this.explain(what, error), { cause: error })
    } finally {
      clearTimeout(timer)
      operation.catch(() => {}) // a late rejection after the deadline is already reported
    }
  }

  explain(what: string, error: unknown): string {
    const text = describeError(error)
    const network = /\((E[A-Z]+)\)$/.exec(text)
    if (network !== null && !/^[A-Z_]+:/.test(text)) {
      return `cannot reach the broker at ${this.bootstrapText} (${network[1]}) while ${what}`
    }
    return text
  }

  async admin(): Promise<Admin> {
    if (this.#admin === undefined) {
      const { Admin } = await loadPlatformatic()
      this.#admin = new Admin(clientOptionsOf(this.settings))
    }
    return this.#admin
  }

  async producer(
    options: { acks?: number; compression?: string; idempotent?: boolean } = {},
  ): Promise<Producer> {
    const { Producer } = await loadPlatformatic()
    const producer = new Producer({
      ...clientOptionsOf(this.settings),
      acks: options.acks,
      idempotent: options.idempotent ?? false,
      compression: (options.compression ?? 'none') as 'none',
      autocreateTopics: false,
    })
    this.#producers.push(producer)
    return producer
  }

  async consumer(groupId: string, extra: Record<string, unknown> = {}): Promise<Consumer> {
    const { Consumer } = await loadPlatformatic()
    const consumer = new Consumer({ ...clientOptionsOf(this.settings), groupId, ...extra })
    this.#consumers.push(consumer)
    return consumer
  }

  /** A connection to any bootstrap broker, for raw API calls the Admin lacks (SCRAM users). */
  async connection(): Promise<Connection> {
    const admin = await this.admin()
    const { parseBroker } = await loadPlatformatic()
    return admin.connections.getFirstAvailable(this.settings.bootstrap.map((entry) => parseBroker(entry)))
  }

  async close(): Promise<void> {
    const closing: Promise<void>[] = []
    for (const consumer of this.#consumers) {
      closing.push(new Promise<void>((resolve) => consumer.close(true, () => resolve())))
    }
    for (const producer of this.#producers) closing.push(producer.close())
    if (this.#admin !== undefined) closing.push(this.#admin.close())
    this.#consumers = []
    this.#producers = []
    this.#admin = undefined
    await Promise.allSettled(closing)
  }
}
