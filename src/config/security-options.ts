// The [security] section turned into what the broker starts with: listeners (Kafka's model), TLS
// files, SASL mechanisms, the users file and the failed-authentication delay. Checked once with the
// rest of the config (checkSecurity), so a bad listener string stops start-up naming the key.

import type { z } from 'zod'
import type { SecurityStartOptions } from '../security/broker-listeners.ts'
import {
  ListenerConfigError,
  type ListenerSpec,
  parseListeners,
  usesSasl,
  usesTls,
} from '../security/listeners.ts'
import { parseMappingRules } from '../security/principal.ts'
import { isSaslMechanism, type SaslMechanism } from '../security/sasl.ts'

/** The parts of the config this reads (structural: schema.ts validates with it). */
export interface SecurityConfig {
  listenAddr: string
  security: {
    listeners?: string
    advertisedListeners?: string
    listenerSecurityProtocolMap?: string
    sslCertFile?: string
    sslKeyFile?: string
    sslCaFile?: string
    sslClientAuth: 'none' | 'requested' | 'required'
    sslPrincipalMappingRules: string
    saslEnabledMechanisms: string
    authUsersFile?: string
    failedAuthenticationDelayMs: number
    authorizer: boolean
    superUsers: string
    allowEveryoneIfNoAclFound: boolean
  }
}

export interface ResolvedSecurity {
  /** Absent: the single PLAINTEXT listener on listen_addr, exactly as without a [security] section. */
  listeners: ListenerSpec[] | undefined
  options: SecurityStartOptions
}

export function securityOf(config: SecurityConfig): ResolvedSecurity {
  const security = config.security
  const listeners =
    security.listeners === undefined
      ? undefined
      : parseListeners({
          listeners: security.listeners,
          advertisedListeners: security.advertisedListeners,
          listenerSecurityProtocolMap: security.listenerSecurityProtocolMap,
        })
  const mechanisms: SaslMechanism[] = []
  for (const name of security.saslEnabledMechanisms.split(',').map((entry) => entry.trim().toUpperCase())) {
    if (name === '') continue
    if (!isSaslMechanism(name)) {
      throw new ListenerConfigError(
        'sasl_enabled_mechanisms',
        `${name} is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
      )
    }
    if (!mechanisms.includes(name)) mechanisms.push(name)
  }
  try {
    parseMappingRules(security.sslPrincipalMappingRules)
  } catch (error) {
    throw new ListenerConfigError(
      'ssl_principal_mapping_rules',
      error instanceof Error ? error.message : String(error),
    )
  }
  for (const user of security.superUsers.split(';')) {
    if (user.trim() !== '' && !/^[^:]+:.+$/.test(user.trim())) {
      throw new ListenerConfigError('super_users', `${user.trim()} is not a principal such as User:admin`)
    }
  }
  const protocols = (listeners ?? []).map((listener) => listener.securityProtocol)
  if (protocols.some(usesTls) && (security.sslCertFile === undefined || security.sslKeyFile === undefined)) {
    throw new ListenerConfigError(
      security.sslCertFile === undefined ? 'ssl_cert_file' : 'ssl_key_file',
      'an SSL or SASL_SSL listener needs ssl_cert_file and ssl_key_file',
    )
  }
  if (security.sslClientAuth !== 'none' && security.sslCaFile === undefined) {
    throw new ListenerConfigError(
      'ssl_ca_file',
      `ssl_client_auth = ${security.sslClientAuth} needs ssl_ca_file`,
    )
  }
  if (protocols.some(usesSasl) && mechanisms.length === 0) {
    throw new ListenerConfigError('sasl_enabled_mechanisms', 'a SASL listener needs at least one mechanism')
  }
  return {
    listeners,
    options: {
      tls:
        security.sslCertFile === undefined || security.sslKeyFile === undefined
          ? undefined
          : {
              certFile: security.sslCertFile,
              keyFile: security.sslKeyFile,
              caFile: security.sslCaFile,
              clientAuth: security.sslClientAuth,
            },
      principalMappingRules: security.sslPrincipalMappingRules,
      saslMechanisms: mechanisms,
      usersFile: security.authUsersFile,
      failedAuthenticationDelayMs: security.failedAuthenticationDelayMs,
      ...(security.authorizer
        ? {
            authorizer: {
              superUsers: security.superUsers
                .split(';')
                .map((entry) => entry.trim())
                .filter((entry) => entry !== ''),
              allowEveryoneIfNoAclFound: security.allowEveryoneIfNoAclFound,
            },
          }
        : {}),
    },
  }
}

const camelKeys: Record<string, string> = {
  listeners: 'listeners',
  advertised_listeners: 'advertisedListeners',
  listener_security_protocol_map: 'listenerSecurityProtocolMap',
  ssl_cert_file: 'sslCertFile',
  ssl_key_file: 'sslKeyFile',
  ssl_ca_file: 'sslCaFile',
  ssl_principal_mapping_rules: 'sslPrincipalMappingRules',
  sasl_enabled_mechanisms: 'saslEnabledMechanisms',
  super_users: 'superUsers',
}

/** The schema's check: a listener or security value that does not make sense names its key. */
export function checkSecurity(config: SecurityConfig, context: z.RefinementCtx): void {
  try {
    securityOf(config)
  } catch (error) {
    if (!(error instanceof ListenerConfigError)) throw error
    context.addIssue({
      code: 'custom',
      path: ['security', camelKeys[error.option] ?? error.option],
      message: error.message,
    })
  }
}
