// How `migrate from-kafka` reaches its source cluster: the global options (-b, --sasl-*, --tls-*)
// describe the target, so the source has its own set under --kafka-*, or a saved profile
// (--kafka-profile) with the same fields. Flags win over the profile, as for the global options.
// Everything else (output, timeout) is shared with the target.
import { type Command, Option } from 'commander'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import type { Profile } from '../profiles.ts'
import {
  namedProfile,
  parseBootstrap,
  type ResolvedSettings,
  resolveSecurity,
  saslMechanisms,
} from '../settings.ts'

export interface SourceOptionValues {
  kafkaServers?: string
  kafkaProfile?: string
  kafkaSaslMechanism?: string
  kafkaSaslUsername?: string
  kafkaSaslPassword?: string
  kafkaTls?: boolean
  kafkaTlsCa?: string
  kafkaTlsCert?: string
  kafkaTlsKey?: string
}

export function addSourceOptions(command: Command): void {
  command
    .option('--kafka-profile <name>', 'connect to the source with a saved profile (see `profile`)')
    .addOption(
      new Option('--kafka-sasl-mechanism <mechanism>', 'SASL mechanism of the source').choices(
        saslMechanisms,
      ),
    )
    .option('--kafka-sasl-username <user>', 'SASL user name on the source')
    .option(
      '--kafka-sasl-password <password>',
      'SASL password on the source (env STREAMLINE_KAFKA_SASL_PASSWORD)',
    )
    .option('--kafka-tls', 'connect to the source with TLS')
    .option('--kafka-tls-ca <file>', "CA certificate (PEM) of the source's listener; implies --kafka-tls")
    .option('--kafka-tls-cert <file>', 'client certificate (PEM) for the source; implies --kafka-tls')
    .option('--kafka-tls-key <file>', 'client private key (PEM) for the source')
}

export async function resolveSourceSettings(
  values: SourceOptionValues,
  target: CliContext,
): Promise<ResolvedSettings> {
  const profile: Profile =
    values.kafkaProfile === undefined
      ? {}
      : await namedProfile(values.kafkaProfile, target.io.env, '--kafka-profile')
  const servers = values.kafkaServers ?? profile.bootstrap
  if (servers === undefined)
    throw new UsageError(
      'migrate from-kafka needs --kafka-servers <host:port> (or a --kafka-profile with one)',
    )
  const passwordFromEnv = target.io.env.STREAMLINE_KAFKA_SASL_PASSWORD
  const { sasl, tls } = resolveSecurity(
    {
      saslMechanism: values.kafkaSaslMechanism,
      saslUsername: values.kafkaSaslUsername,
      saslPassword: values.kafkaSaslPassword,
      tls: values.kafkaTls,
      tlsCa: values.kafkaTlsCa,
      tlsCert: values.kafkaTlsCert,
      tlsKey: values.kafkaTlsKey,
    },
    profile,
    passwordFromEnv === '' ? undefined : passwordFromEnv,
    '--kafka-',
  )
  return {
    ...target.settings,
    bootstrap: parseBootstrap(servers, '--kafka-servers'),
    sasl,
    tls,
    profileName: values.kafkaProfile ?? null,
  }
}
