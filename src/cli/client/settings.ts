// The global options, declared once (help, completions and docs derive from this table), and their
// resolution into the settings a command runs with. Precedence: command line, then environment
// (STREAMLINE_BOOTSTRAP, STREAMLINE_HTTP, NO_COLOR), then the profile (-P, or the current one), then
// the defaults (127.0.0.1:9092, http://127.0.0.1:9094, text, 10 s).
import { type Command, Option } from 'commander'
import { parseDurationMs } from './durations.ts'
import { UsageError } from './errors.ts'
import type { OutputFormat } from './output.ts'
import { loadProfiles, type Profile } from './profiles.ts'

export const defaultBootstrap = '127.0.0.1:9092'
export const defaultHttpUrl = 'http://127.0.0.1:9094'
export const defaultTimeoutMs = 10_000
export const saslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
export type SaslMechanism = (typeof saslMechanisms)[number]

/** What commander hands us (optsWithGlobals), before resolution. */
export interface GlobalOptionValues {
  bootstrap?: string
  http?: string
  profile?: string
  format?: string
  color?: boolean
  yes?: boolean
  output?: string
  timeout?: string
  saslMechanism?: string
  saslUsername?: string
  saslPassword?: string
  tls?: boolean
  tlsCa?: string
  tlsCert?: string
  tlsKey?: string
}

export function globalOptions(): Option[] {
  return [
    new Option(
      '-b, --bootstrap <host:port,...>',
      'Kafka bootstrap servers (default 127.0.0.1:9092, env STREAMLINE_BOOTSTRAP)',
    ),
    new Option('--http <url>', "Streamline's HTTP API (default http://127.0.0.1:9094, env STREAMLINE_HTTP)"),
    new Option('-P, --profile <name>', 'use a saved connection profile (see `profile`)'),
    new Option('--format <format>', 'output shape').choices(['text', 'json']),
    new Option('--no-color', 'no colour, even on a terminal (also NO_COLOR)'),
    new Option('-y, --yes', 'answer yes to confirmations'),
    new Option('-o, --output <file>', 'write results to a file instead of stdout'),
    new Option('--timeout <duration>', 'give up on an unanswered broker after this long (default 10s)'),
    new Option('--sasl-mechanism <mechanism>', 'SASL mechanism').choices(saslMechanisms),
    new Option('--sasl-username <user>', 'SASL user name'),
    new Option('--sasl-password <password>', 'SASL password (env STREAMLINE_SASL_PASSWORD)'),
    new Option('--tls', 'connect with TLS'),
    new Option('--tls-ca <file>', 'CA certificate (PEM) to trust; implies --tls'),
    new Option('--tls-cert <file>', 'client certificate (PEM); implies --tls'),
    new Option('--tls-key <file>', 'client private key (PEM)'),
  ]
}

export function addGlobalOptions(program: Command): void {
  for (const option of globalOptions()) program.addOption(option)
}

export interface SaslSettings {
  mechanism: SaslMechanism
  username: string
  password: string
}

export interface TlsSettings {
  caFile?: string
  certFile?: string
  keyFile?: string
}

export interface ResolvedSettings {
  bootstrap: string[]
  httpUrl: string
  format: OutputFormat
  color: boolean
  yes: boolean
  outputFile: string | undefined
  timeoutMs: number
  sasl: SaslSettings | undefined
  tls: TlsSettings | undefined
  profileName: string | null
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** `host:port,host:port` → its entries; a malformed entry is a usage error naming `option`. */
export function parseBootstrap(text: string, option: string): string[] {
  const bootstrap = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  for (const entry of bootstrap) {
    if (!/^[^:\s]+:\d{1,5}$/.test(entry)) throw new UsageError(`${option}: '${entry}' is not host:port`)
  }
  if (bootstrap.length === 0) throw new UsageError(`${option}: no host:port given`)
  return bootstrap
}

/** The security part of the global options (or of a command's own set for a second cluster, such as
 * `migrate`'s `--kafka-*` source options), over a profile. `prefix` names the options in errors. */
export interface SecurityOptionValues {
  saslMechanism?: string
  saslUsername?: string
  saslPassword?: string
  tls?: boolean
  tlsCa?: string
  tlsCert?: string
  tlsKey?: string
}

export function resolveSecurity(
  values: SecurityOptionValues,
  profile: Profile,
  passwordFromEnv: string | undefined,
  prefix: string,
): { sasl: SaslSettings | undefined; tls: TlsSettings | undefined } {
  const mechanism = values.saslMechanism ?? profile.saslMechanism
  const username = values.saslUsername ?? profile.saslUsername
  const password = values.saslPassword ?? passwordFromEnv ?? profile.saslPassword
  let sasl: SaslSettings | undefined
  if (mechanism !== undefined || username !== undefined) {
    if (mechanism === undefined || username === undefined || password === undefined) {
      throw new UsageError(
        `SASL needs ${prefix}sasl-mechanism, ${prefix}sasl-username and ${prefix}sasl-password together`,
      )
    }
    if (!(saslMechanisms as readonly string[]).includes(mechanism)) {
      throw new UsageError(
        `${prefix}sasl-mechanism: '${mechanism}' is not one of ${saslMechanisms.join(', ')}`,
      )
    }
    sasl = { mechanism: mechanism as SaslMechanism, username, password }
  }
  const tlsCa = values.tlsCa ?? profile.tlsCa
  const tlsCert = values.tlsCert ?? profile.tlsCert
  const tlsKey = values.tlsKey ?? profile.tlsKey
  const tlsOn = values.tls === true || profile.tls === true || tlsCa !== undefined || tlsCert !== undefined
  return { sasl, tls: tlsOn ? { caFile: tlsCa, certFile: tlsCert, keyFile: tlsKey } : undefined }
}

/** The profile of that name from the profiles file; a usage error when there is none. */
export async function namedProfile(name: string, env: NodeJS.ProcessEnv, option: string): Promise<Profile> {
  const found = (await loadProfiles(env)).profiles[name]
  if (found === undefined) throw new UsageError(`${option}: no profile named '${name}' (see: profile list)`)
  return found
}

export async function resolveSettings(
  values: GlobalOptionValues,
  env: NodeJS.ProcessEnv,
  stdoutIsTerminal: boolean,
): Promise<ResolvedSettings> {
  const file = await loadProfiles(env)
  const profileName = values.profile ?? file.current
  let profile: Profile = {}
  if (profileName !== null) {
    const found = file.profiles[profileName]
    if (found === undefined) {
      if (values.profile !== undefined)
        throw new UsageError(`no profile named '${profileName}' (see: profile list)`)
    } else {
      profile = found
    }
  }
  const bootstrapText =
    values.bootstrap ?? nonEmpty(env.STREAMLINE_BOOTSTRAP) ?? profile.bootstrap ?? defaultBootstrap
  const bootstrap = parseBootstrap(bootstrapText, '--bootstrap')
  const { sasl, tls } = resolveSecurity(values, profile, nonEmpty(env.STREAMLINE_SASL_PASSWORD), '--')
  return {
    bootstrap,
    httpUrl: (values.http ?? nonEmpty(env.STREAMLINE_HTTP) ?? profile.http ?? defaultHttpUrl).replace(
      /\/+$/,
      '',
    ),
    format: values.format === 'json' ? 'json' : 'text',
    color:
      values.color !== false && env.NO_COLOR === undefined && stdoutIsTerminal && values.output === undefined,
    yes: values.yes === true,
    outputFile: values.output,
    timeoutMs: values.timeout === undefined ? defaultTimeoutMs : parseDurationMs(values.timeout, '--timeout'),
    sasl,
    tls,
    profileName: profile === undefined ? null : profileName,
  }
}

/** The CLI's own environment variables: the server refuses STREAMLINE_* names it does not know, so
 * they are left out of the environment of a server or config loader the CLI runs. */
export const cliOnlyVariables = [
  'STREAMLINE_BOOTSTRAP',
  'STREAMLINE_CLI_HOME',
  'STREAMLINE_CLI_NO_HISTORY',
  'STREAMLINE_HTTP',
  'STREAMLINE_KAFKA_SASL_PASSWORD',
  'STREAMLINE_SASL_PASSWORD',
  'STREAMLINE_USER_PASSWORD',
]
