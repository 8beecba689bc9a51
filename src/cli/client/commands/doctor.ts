// `doctor`: checks a setup and says how to fix what is wrong. Each check is PASS, WARN or FAIL with
// a fix; the exit code is 1 when any check FAILs. Checks: Kafka connectivity, API versions, SASL
// authentication, clock skew against the broker's HTTP Date header, Streamline's mode (in-memory,
// playground), and for a local broker free disk space and write permission of its data dir. The data
// dir is --data-dir, else the one a broker on this machine reports (/api/v1/cluster), else the one
// `streamline` would use here (its config: --config / STREAMLINE_CONFIG, STREAMLINE_* variables,
// defaults), which is also checked for sanity (the server's own validation).
import { constants } from 'node:fs'
import { access, statfs } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { CliFailure, describeError } from '../errors.ts'
import { cliOnlyVariables } from '../settings.ts'

type Status = 'PASS' | 'WARN' | 'FAIL'
interface Check {
  name: string
  status: Status
  detail: string
  fix: string | null
}

const requiredApis = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20]
const skewWarnMs = 5000
const diskWarnBytes = 1024 ** 3
const diskFailBytes = 100 * 1024 ** 2

async function kafkaChecks(context: CliContext, checks: Check[]): Promise<boolean> {
  const admin = await context.kafka.admin()
  try {
    const metadata = await context.kafka.call('connecting', admin.metadata({ forceUpdate: true }))
    checks.push({
      name: 'connectivity',
      status: 'PASS',
      detail: `cluster ${metadata.id}, ${metadata.brokers.size} broker(s) at ${context.kafka.bootstrapText}`,
      fix: null,
    })
  } catch (error) {
    const text = describeError(error)
    const authentication = /SASL|AUTHENTICATION/i.test(text)
    checks.push({
      name: authentication ? 'authentication' : 'connectivity',
      status: 'FAIL',
      detail: text,
      fix: authentication
        ? 'check --sasl-mechanism, --sasl-username and --sasl-password'
        : `start the broker (streamline) or point -b at it`,
    })
    return false
  }
  if (context.settings.sasl !== undefined) {
    checks.push({
      name: 'authentication',
      status: 'PASS',
      detail: `${context.settings.sasl.mechanism} as ${context.settings.sasl.username}`,
      fix: null,
    })
  }
  const apis = await context.kafka.call('listing API versions', admin.listApis())
  const served = new Set(apis.map((api) => api.apiKey))
  const missing = requiredApis.filter((key) => !served.has(key))
  checks.push(
    missing.length === 0
      ? { name: 'api versions', status: 'PASS', detail: `${apis.length} Kafka APIs served`, fix: null }
      : {
          name: 'api versions',
          status: 'WARN',
          detail: `missing API keys ${missing.join(', ')}`,
          fix: 'some commands will fail: upgrade the broker',
        },
  )
  return true
}

/** Returns the data dir the broker reports when it runs on this machine (HTTP on loopback). */
async function httpChecks(context: CliContext, checks: Check[]): Promise<string | undefined> {
  const before = Date.now()
  let response: Response
  try {
    response = await fetch(`${context.settings.httpUrl}/health`, {
      signal: AbortSignal.timeout(context.settings.timeoutMs),
    })
    await response.arrayBuffer()
  } catch {
    checks.push({
      name: 'http api',
      status: 'WARN',
      detail: `no answer from ${context.settings.httpUrl}`,
      fix: 'start Streamline with its HTTP port, or give --http (not needed for Kafka commands)',
    })
    return undefined
  }
  const after = Date.now()
  checks.push({
    name: 'http api',
    status: response.ok ? 'PASS' : 'WARN',
    detail: `${context.settings.httpUrl}/health answered ${response.status}`,
    fix: response.ok ? null : 'see the broker log',
  })
  const date = response.headers.get('date')
  if (date !== null) {
    const skewMs = Date.parse(date) + 500 - (before + after) / 2 // the header has second resolution
    const ok = Math.abs(skewMs) < skewWarnMs
    checks.push({
      name: 'clock skew',
      status: ok ? 'PASS' : 'WARN',
      detail: `${Math.round(skewMs / 1000)} s against the broker`,
      fix: ok ? null : 'sync clocks (NTP): time-based consume and retention depend on them',
    })
  }
  const cluster = await context.http('/api/v1/cluster').catch(() => null)
  const body = cluster?.body as { mode?: string; playground?: boolean; dataDir?: string | null } | undefined
  if (body?.mode !== undefined) {
    const inMemory = body.mode === 'memory'
    checks.push({
      name: 'config',
      status: inMemory || body.playground === true ? 'WARN' : 'PASS',
      detail: `mode ${body.mode}${body.playground === true ? ', playground' : ''}`,
      fix: inMemory ? 'in-memory mode loses every record at stop: drop --in-memory for real data' : null,
    })
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(context.settings.httpUrl).hostname)
  return local && typeof body?.dataDir === 'string' ? body.dataDir : undefined
}

/** The data dir `streamline` would use here, from its own config loader; a config error is a FAIL. */
async function configuredDataDir(
  context: CliContext,
  configFile: string | undefined,
  checks: Check[],
): Promise<string | undefined> {
  const { loadConfig } = await import('../../../config/load.ts')
  const env = { ...context.io.env }
  for (const name of cliOnlyVariables) delete env[name]
  try {
    const { config, configFile: read } = loadConfig({
      argv: configFile === undefined ? [] : ['--config', configFile],
      env,
    })
    checks.push({
      name: 'config',
      status: 'PASS',
      detail: `${read === undefined ? 'no config file' : read}${config.inMemory ? ', in-memory' : `, data dir ${config.dataDir}`}`,
      fix: null,
    })
    return config.inMemory ? undefined : resolve(config.dataDir)
  } catch (error) {
    checks.push({
      name: 'config',
      status: 'FAIL',
      detail: error instanceof Error ? error.message : String(error),
      fix: 'correct it: streamline --generate-config prints every key with its default',
    })
    return undefined
  }
}

/** The nearest directory that exists at or above `path`. */
async function nearestExisting(path: string): Promise<string> {
  let current = path
  for (;;) {
    try {
      await access(current)
      return current
    } catch {
      const parent = dirname(current)
      if (parent === current) return current
      current = parent
    }
  }
}

async function diskChecks(dataDir: string, source: string, checks: Check[]): Promise<void> {
  const existing = await nearestExisting(dataDir)
  if (existing !== dataDir) {
    try {
      await access(existing, constants.W_OK)
      checks.push({
        name: 'data dir permissions',
        status: 'PASS',
        detail: `${dataDir} (${source}) does not exist yet; the broker can create it in ${existing}`,
        fix: null,
      })
    } catch {
      checks.push({
        name: 'data dir permissions',
        status: 'FAIL',
        detail: `${dataDir} (${source}) does not exist and ${existing} is not writable`,
        fix: `create ${dataDir} and give the broker's user write access`,
      })
      return
    }
    dataDir = existing
  }
  try {
    await access(dataDir, constants.W_OK | constants.R_OK)
    checks.push({
      name: 'data dir permissions',
      status: 'PASS',
      detail: `${dataDir} (${source}) is readable and writable`,
      fix: null,
    })
  } catch (error) {
    checks.push({
      name: 'data dir permissions',
      status: 'FAIL',
      detail: `${dataDir}: ${(error as NodeJS.ErrnoException).code}`,
      fix: `create it and give the broker's user write access (chown/chmod ${dataDir})`,
    })
    return
  }
  const stats = await statfs(dataDir)
  const free = stats.bavail * stats.bsize
  const status: Status = free < diskFailBytes ? 'FAIL' : free < diskWarnBytes ? 'WARN' : 'PASS'
  checks.push({
    name: 'disk space',
    status,
    detail: `${(free / 1024 ** 3).toFixed(1)} GiB free in ${dataDir}`,
    fix:
      status === 'PASS' ? null : 'free space or lower retention (topics alter --config retention.bytes=...)',
  })
}

async function doctor(context: CliContext, command: Command): Promise<void> {
  const options = command.opts<{ dataDir?: string; config?: string }>()
  const checks: Check[] = []
  const reported = (await kafkaChecks(context, checks)) ? await httpChecks(context, checks) : undefined
  if (options.dataDir !== undefined) await diskChecks(resolve(options.dataDir), '--data-dir', checks)
  else if (reported !== undefined) await diskChecks(reported, 'the running broker', checks)
  else {
    const configured = await configuredDataDir(context, options.config, checks)
    if (configured !== undefined) await diskChecks(configured, 'the local config', checks)
  }
  const failed = checks.filter((check) => check.status === 'FAIL').length
  context.output.result({ checks, ok: failed === 0 }, () => {
    for (const check of checks) {
      const style = check.status === 'PASS' ? 'green' : check.status === 'WARN' ? 'yellow' : 'red'
      context.output.line(`${context.output.style(style, check.status)}  ${check.name}: ${check.detail}`)
      if (check.fix !== null) context.output.line(`      fix: ${check.fix}`)
    }
  })
  if (failed > 0) throw new CliFailure(`${failed} check(s) failed`)
}

export const registerDoctor: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('doctor')
      .description(
        'check connectivity, APIs, auth, clock skew, config, and a local data dir; PASS/WARN/FAIL with fixes',
      )
      .option(
        '--data-dir <dir>',
        "a local broker's data directory to check (default: the running broker's, else the local config's)",
      )
      .option('--config <file>', "the broker's TOML config to check (default: STREAMLINE_CONFIG)")
      .action(runCommand(io, doctor)),
  )
}
