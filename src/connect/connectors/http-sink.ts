// HttpSinkConnector (Confluent's option names): record values are sent in batches of batch.max.size
// to http.api.url. 429, 5xx and connection errors are retried max.retries times with a doubling
// backoff; a batch that fails for good (another 4xx, or retries exhausted) goes to the error topic
// (reporter.error.topic.name, one record per input record with the failure in headers), or fails the
// task (behavior.on.error=fail). Records of accepted batches go to the result topic
// (reporter.result.topic.name) with the answer's body. auth.type=OAUTH2 sends a bearer token from the
// token endpoint (http-oauth2.ts). put() returns once every batch is answered and reported, so offsets
// are committed only for records the server accepted or the error topic holds (at-least-once: a crash
// in between may send a batch again).

import { toJsonValue } from '../converters/json-converter.ts'
import { ParsedConfig, type Properties } from '../sdk/config-def.ts'
import { ConnectException, type SinkConnector, type SinkTask } from '../sdk/connector.ts'
import type { SinkRecord } from '../sdk/records.ts'
import { KafkaWriter } from '../storage/kafka-client.ts'
import { OAuth2TokenSource, parseHeaders, TokenRequestError } from './http-oauth2.ts'
import { httpSinkDefinition } from './http-sink-config.ts'
import { connectVersion } from './version.ts'

export class HttpSinkConnector implements SinkConnector {
  readonly type = 'sink'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config() {
    return httpSinkDefinition
  }
  start(properties: Properties): void {
    const config = new ParsedConfig(httpSinkDefinition, properties)
    const reporting =
      config.optionalString('reporter.error.topic.name') ??
      config.optionalString('reporter.result.topic.name')
    if (reporting !== null && config.list('reporter.bootstrap.servers').length === 0)
      throw new ConnectException(
        'reporter.error.topic.name and reporter.result.topic.name need reporter.bootstrap.servers',
      )
    if (config.string('auth.type') === 'OAUTH2')
      for (const name of ['oauth2.token.url', 'oauth2.client.id', 'oauth2.client.secret'])
        if (config.optionalString(name) === null) throw new ConnectException(`auth.type=OAUTH2 needs ${name}`)
    this.properties = properties
  }
  taskConfigs(maxTasks: number): Properties[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.properties }))
  }
  stop(): void {}
  createTask(): SinkTask {
    return new HttpSinkTask()
  }
}

type Outcome = { ok: true; status: number; body: string } | { ok: false; status: number; message: string }

export class HttpSinkTask implements SinkTask {
  private config: ParsedConfig | null = null
  private headers: Record<string, string> = {}
  private reporter: KafkaWriter | null = null
  private oauth: OAuth2TokenSource | null = null

  start(properties: Properties): void {
    const config = new ParsedConfig(httpSinkDefinition, properties)
    this.config = config
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...parseHeaders(config.string('headers'), config.string('header.separator')),
    }
    if (config.string('auth.type') === 'BASIC') {
      const user = config.optionalString('connection.user') ?? ''
      const password = config.optionalString('connection.password') ?? ''
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    }
    if (config.string('auth.type') === 'OAUTH2') this.oauth = new OAuth2TokenSource(config)
    this.headers = headers
    if (
      config.optionalString('reporter.error.topic.name') !== null ||
      config.optionalString('reporter.result.topic.name') !== null
    )
      this.reporter = new KafkaWriter({
        bootstrap: config.list('reporter.bootstrap.servers'),
        clientId: 'streamline-http-sink-reporter',
      })
  }

  async put(records: SinkRecord[]): Promise<void> {
    const config = this.config
    if (config === null) throw new ConnectException('the task is not started')
    const size = config.number('batch.max.size')
    for (let start = 0; start < records.length; start += size) {
      const batch = records.slice(start, start + size)
      const outcome = await this.send(config, this.body(config, batch))
      if (outcome.ok) await this.succeeded(config, batch, outcome)
      else await this.failed(config, batch, outcome)
    }
  }

  private body(config: ParsedConfig, batch: SinkRecord[]): string {
    const items = batch.map((record) => {
      const value = toJsonValue(record.valueSchema, record.value)
      return typeof value === 'string' && !config.boolean('batch.json.as.array')
        ? value
        : JSON.stringify(value)
    })
    if (config.boolean('batch.json.as.array')) return `[${items.join(',')}]`
    return `${config.string('batch.prefix')}${items.join(config.string('batch.separator'))}${config.string('batch.suffix')}`
  }

  /**
   * One request, retried on 429, 5xx and connection errors with a doubling backoff. With OAuth2 a 401
   * answer fetches a new token and sends again once (not counted as a retry); a token endpoint that
   * fails is retried like the API.
   */
  private async send(config: ParsedConfig, body: string): Promise<Outcome> {
    let delayMs = config.number('retry.backoff.ms')
    const retries = config.number('max.retries')
    let refreshed = false
    for (let attempt = 0; ; attempt++) {
      let outcome: Outcome
      let retriable: boolean
      try {
        const headers =
          this.oauth === null
            ? this.headers
            : { ...this.headers, Authorization: `Bearer ${await this.oauth.current()}` }
        const response = await fetch(config.string('http.api.url'), {
          method: config.string('request.method'),
          headers,
          body,
          signal: AbortSignal.timeout(config.number('request.timeout.ms')),
        })
        const text = await response.text()
        if (response.ok) return { ok: true, status: response.status, body: text }
        if (response.status === 401 && this.oauth !== null && !refreshed) {
          this.oauth.invalidate()
          refreshed = true
          attempt--
          continue
        }
        outcome = { ok: false, status: response.status, message: text.slice(0, 1000) }
        retriable = response.status === 429 || response.status >= 500
      } catch (error) {
        if (error instanceof TokenRequestError) {
          outcome = { ok: false, status: error.status, message: error.message }
          retriable = error.retriable
        } else {
          outcome = { ok: false, status: -1, message: (error as Error).message }
          retriable = true
        }
      }
      if (!retriable || attempt >= retries) return outcome
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      delayMs *= 2
    }
  }

  /** The records of an accepted batch to the result topic: the answer's body, the input record's coordinates. */
  private async succeeded(
    config: ParsedConfig,
    batch: SinkRecord[],
    outcome: Outcome & { ok: true },
  ): Promise<void> {
    const topic = config.optionalString('reporter.result.topic.name')
    if (topic === null || this.reporter === null) return
    const answer = Buffer.from(outcome.body)
    await this.reporter.send(
      batch.map((record) => ({
        topic,
        key:
          record.key === null ? null : Buffer.from(JSON.stringify(toJsonValue(record.keySchema, record.key))),
        value: answer,
        headers: [
          ['input_record_topic', Buffer.from(record.originalTopic)],
          ['input_record_partition', Buffer.from(String(record.originalKafkaPartition))],
          ['input_record_offset', Buffer.from(String(record.originalKafkaOffset))],
          ['input_record_timestamp', Buffer.from(String(record.timestamp ?? -1))],
          ['status_code', Buffer.from(String(outcome.status))],
        ],
      })),
    )
  }

  private async failed(
    config: ParsedConfig,
    batch: SinkRecord[],
    outcome: Outcome & { ok: false },
  ): Promise<void> {
    const topic = config.optionalString('reporter.error.topic.name')
    const why = `HTTP ${outcome.status}: ${outcome.message}`
    if (topic !== null && this.reporter !== null) {
      await this.reporter.send(
        batch.map((record) => ({
          topic,
          key:
            record.key === null
              ? null
              : Buffer.from(JSON.stringify(toJsonValue(record.keySchema, record.key))),
          value: Buffer.from(JSON.stringify(toJsonValue(record.valueSchema, record.value))),
          headers: [
            ['__connect.errors.topic', Buffer.from(record.originalTopic)],
            ['__connect.errors.partition', Buffer.from(String(record.originalKafkaPartition))],
            ['__connect.errors.offset', Buffer.from(String(record.originalKafkaOffset))],
            ['__connect.errors.exception.message', Buffer.from(why)],
            ['http.status', Buffer.from(String(outcome.status))],
          ],
        })),
      )
      return
    }
    if (config.string('behavior.on.error') === 'fail')
      throw new ConnectException(`sending a batch to ${config.string('http.api.url')} failed: ${why}`)
  }

  async stop(): Promise<void> {
    await this.reporter?.close()
    this.reporter = null
    this.oauth = null
  }
}
