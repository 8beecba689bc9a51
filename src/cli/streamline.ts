#!/usr/bin/env node
// `streamline`: starts the broker (`streamline connect --bootstrap …` starts a Connect worker alone). `npm start` runs this file. Options come from flags, STREAMLINE_*
// environment variables and a TOML file (src/config); `--help` lists them, `--generate-config` prints
// them all as a commented TOML file.
//
// Exit codes: 0 after a clean stop (or --help/--version/--generate-config); 1 when start-up or the
// stop failed, or on a second SIGTERM/SIGINT during the graceful stop; 2 for a configuration error.

import { startBroker } from '../broker/start.ts'
import { startOptionsOf } from '../config/broker-options.ts'
import type { LoadedConfig } from '../config/load.ts'
import { builtOptionTable, quickLoadConfig } from '../config/quick-load.ts'
import { streamlineVersion } from '../config/version.ts'
import { ConfigError } from '../errors.ts'
import { createLogger } from '../log.ts'

/** The configuration: the quick path when it can vouch for the input (the bundled CLI only), else the
 * schema (zod), which is loaded only then; see config/quick-load.ts. */
async function loadConfiguration(argv: string[]): Promise<LoadedConfig> {
  const table = builtOptionTable()
  const quick = table === null ? null : quickLoadConfig({ argv, env: process.env }, table)
  if (quick !== null) return quick
  const { loadConfig } = await import('../config/load.ts')
  return loadConfig({ argv, env: process.env })
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'connect') {
    // `streamline connect --bootstrap …`: a Connect worker alone (src/connect/cli.ts).
    const { runConnectWorker } = await import('../connect/cli.ts')
    return runConnectWorker(argv.slice(1))
  }
  const { config, command } = await loadConfiguration(argv)
  if (command.help) {
    const { helpText } = await import('../config/generate.ts')
    return void process.stdout.write(helpText(streamlineVersion))
  }
  if (command.version) return void process.stdout.write(`${streamlineVersion}\n`)
  if (command.generateConfig) {
    const { generateConfigToml } = await import('../config/generate.ts')
    return void process.stdout.write(generateConfigToml(streamlineVersion))
  }
  const logger = createLogger(config.logLevel, config.logFormat)
  const broker = await startBroker(startOptionsOf(config, logger))
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
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
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`streamline: ${message}\n`)
  process.exit(error instanceof ConfigError ? 2 : 1)
})
