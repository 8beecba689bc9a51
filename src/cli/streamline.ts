#!/usr/bin/env node
// `streamline`: starts the broker. `npm start` runs this file.
// Flags are few for now; the operability issue brings the full typed configuration (TOML, env).

import { parseArgs } from 'node:util'
import { startBroker } from '../broker/start.ts'
import { ConfigError } from '../errors.ts'
import { createLogger, type LogLevel } from '../log.ts'

const usage = `Usage: streamline [options]

Starts a Kafka-compatible broker.

Options:
  --listen-addr <host:port>      Kafka listener (default 127.0.0.1:9092; port 0 picks a free port)
  --advertised-addr <host:port>  address given to clients in Metadata (default: the listener's)
  --http-addr <host:port>        HTTP port for health checks (default 127.0.0.1:9094)
  --no-http                      do not open the HTTP port
  --data-dir <dir>               where topics are stored (default ./data)
  --log-level <level>            trace, debug, info, warn, error, fatal or silent (default info)
  -h, --help                     show this help
`

const logLevels = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'listen-addr': { type: 'string', default: '127.0.0.1:9092' },
      'advertised-addr': { type: 'string' },
      'http-addr': { type: 'string', default: '127.0.0.1:9094' },
      'no-http': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: './data' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(usage)
    return
  }
  const level = values['log-level']
  if (!logLevels.has(level))
    throw new ConfigError('log-level', `expected one of ${[...logLevels].join(', ')}, got ${level}`)
  const logger = createLogger(level as LogLevel)
  const broker = await startBroker({
    dataDir: values['data-dir'],
    listenAddr: values['listen-addr'],
    advertisedAddr: values['advertised-addr'],
    httpAddr: values['no-http'] ? null : values['http-addr'],
    logger,
  })
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    broker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`streamline: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
})
