// `streamline connect --bootstrap host:port[,…]`: a Connect worker alone, against any Kafka-compatible
// cluster (this process runs no broker). Options: --connect-addr (REST, default 127.0.0.1:8083),
// --config-storage-topic / --offset-storage-topic / --status-storage-topic (Kafka Connect's
// config.storage.topic … names; defaults connect-configs/-offsets/-status), --offset-flush-interval-ms,
// --log-level, --exactly-once-source-support (KIP-618), --plugin-path, --metrics-sample-window-ms and
// --metrics-num-samples (Kafka's metrics.sample.window.ms / metrics.num.samples). --group-id joins a Connect group (distributed mode, Kafka's group.id) with
// --connect-protocol, --session-timeout-ms, --heartbeat-interval-ms, --rebalance-timeout-ms and
// --scheduled-rebalance-max-delay-ms (Kafka's names and defaults). GET /metrics on the REST listener
// gives the worker's Connect metrics (Prometheus). The worker starts at once; SIGTERM/SIGINT stop it (tasks commit their offsets first).

import { parseArgs } from 'node:util'
import { parseHostPort } from '../broker/address.ts'
import { streamlineVersion } from '../config/version.ts'
import { ConfigError } from '../errors.ts'
import { createLogger, type LogLevel } from '../log.ts'
import { type ConnectServerOptions, startConnectServer } from './server.ts'

const usage = `Usage: streamline connect --bootstrap <host:port[,host:port…]> [options]
  --connect-addr <host:port>          Connect REST API (default 127.0.0.1:8083)
  --config-storage-topic <name>       default connect-configs
  --offset-storage-topic <name>       default connect-offsets
  --status-storage-topic <name>       default connect-status
  --offset-flush-interval-ms <ms>     default 1000
  --log-level <level>                 default info
  --exactly-once-source-support <s>   disabled (default), preparing or enabled (KIP-618)
  --plugin-path <dir[,dir…]>          directories of connector plugins (JS modules; Kafka: plugin.path)
  --metrics-sample-window-ms <ms>     default 30000 (the window of the metrics' averages, maxima, rates)
  --metrics-num-samples <n>           default 2 (samples kept: the window covers n × the sample window)
  --group-id <id>                     join this Connect group (distributed mode; Kafka: group.id)
  --connect-protocol <p>              compatible (incremental cooperative, default) or eager
  --session-timeout-ms <ms>           default 10000
  --heartbeat-interval-ms <ms>        default 3000
  --rebalance-timeout-ms <ms>         default 60000
  --scheduled-rebalance-max-delay-ms <ms>  default 300000 (how long a departed worker's work waits)
`

function positiveMs(name: string, text: string, options: { allowZero: boolean }): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < (options.allowZero ? 0 : 1))
    throw new ConfigError(name, `must be a ${options.allowZero ? 'non-negative' : 'positive'} integer`)
  return value
}

export async function runConnectWorker(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bootstrap: { type: 'string' },
      'connect-addr': { type: 'string', default: '127.0.0.1:8083' },
      'config-storage-topic': { type: 'string', default: 'connect-configs' },
      'offset-storage-topic': { type: 'string', default: 'connect-offsets' },
      'status-storage-topic': { type: 'string', default: 'connect-status' },
      'offset-flush-interval-ms': { type: 'string', default: '1000' },
      'log-level': { type: 'string', default: 'info' },
      'exactly-once-source-support': { type: 'string', default: 'disabled' },
      'plugin-path': { type: 'string', default: '' },
      'metrics-sample-window-ms': { type: 'string', default: '30000' },
      'metrics-num-samples': { type: 'string', default: '2' },
      'group-id': { type: 'string' },
      'connect-protocol': { type: 'string', default: 'compatible' },
      'session-timeout-ms': { type: 'string', default: '10000' },
      'heartbeat-interval-ms': { type: 'string', default: '3000' },
      'rebalance-timeout-ms': { type: 'string', default: '60000' },
      'scheduled-rebalance-max-delay-ms': { type: 'string', default: '300000' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) return void process.stdout.write(usage)
  if (values.bootstrap === undefined || values.bootstrap.trim() === '')
    throw new ConfigError('bootstrap', `required\n${usage}`)
  const flushMs = Number(values['offset-flush-interval-ms'])
  if (!Number.isSafeInteger(flushMs) || flushMs < 1)
    throw new ConfigError('offset-flush-interval-ms', 'must be a positive integer')
  const exactlyOnce = values['exactly-once-source-support']
  if (exactlyOnce !== 'disabled' && exactlyOnce !== 'preparing' && exactlyOnce !== 'enabled')
    throw new ConfigError('exactly-once-source-support', 'must be disabled, preparing or enabled')
  const address = parseHostPort('connect-addr', values['connect-addr'])
  const group = groupSettings(values)
  const log = createLogger(values['log-level'] as LogLevel, 'json')
  const server = await startConnectServer({
    ...address,
    bootstrap: values.bootstrap.split(',').map((entry) => entry.trim()),
    version: streamlineVersion,
    log,
    topics: {
      configs: values['config-storage-topic'],
      offsets: values['offset-storage-topic'],
      status: values['status-storage-topic'],
    },
    offsetFlushIntervalMs: flushMs,
    exactlyOnceSourceSupport: exactlyOnce,
    metricsWindow: {
      windowMs: positiveMs('metrics-sample-window-ms', values['metrics-sample-window-ms'], {
        allowZero: false,
      }),
      samples: positiveMs('metrics-num-samples', values['metrics-num-samples'], { allowZero: false }),
    },
    pluginPath: values['plugin-path']
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    ...(group === undefined ? {} : { group }),
    hasStoredConnectors: () => true, // a worker alone starts its worker at once
    serveMetrics: true,
  })
  log.info({ host: server.host, port: server.port }, 'connect listening')
  const stop = (signal: string): void => {
    log.info({ signal }, 'stopping the Connect worker')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stopping the Connect worker failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

/** --group-id and its timeouts: distributed mode (undefined without --group-id). */
function groupSettings(values: Record<string, string | boolean | undefined>): ConnectServerOptions['group'] {
  const text = (name: string): string => String(values[name] ?? '')
  const protocol = text('connect-protocol')
  if (protocol !== 'compatible' && protocol !== 'eager')
    throw new ConfigError(
      'connect-protocol',
      `must be compatible or eager (Kafka's sessioned protocol is not supported), not ${protocol}`,
    )
  const groupId = values['group-id']
  if (typeof groupId !== 'string') return undefined
  if (groupId.trim() === '') throw new ConfigError('group-id', 'must not be empty')
  return {
    groupId,
    protocol,
    sessionTimeoutMs: positiveMs('session-timeout-ms', text('session-timeout-ms'), { allowZero: false }),
    heartbeatIntervalMs: positiveMs('heartbeat-interval-ms', text('heartbeat-interval-ms'), {
      allowZero: false,
    }),
    rebalanceTimeoutMs: positiveMs('rebalance-timeout-ms', text('rebalance-timeout-ms'), {
      allowZero: false,
    }),
    scheduledRebalanceMaxDelayMs: positiveMs(
      'scheduled-rebalance-max-delay-ms',
      text('scheduled-rebalance-max-delay-ms'),
      { allowZero: true },
    ),
  }
}
