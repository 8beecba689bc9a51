// The [security] section turned into what the broker starts with: listeners (Kafka's model), TLS
// files, SASL mechanisms, the users file, OAUTHBEARER's JWKS and claims, the failed-authentication
// delay, re-authentication and the handshake timeout. Checked once with the
// rest of the config (checkSecurity), so a bad listener string stops start-up naming the key.

import type { z } from 'zod'
import type { SecurityStartOptions } from '../security/broker-listeners.ts'
import type { DelegationTokenOptions } from '../security/delegation-tokens.ts'
import {
  ListenerConfigError,
  type ListenerSpec,
  parseListeners,
  usesSasl,
  usesTls,
} from '../security/listeners.ts'
import type { OAuthBearerOptions } from '../security/oauth-token-validator.ts'
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
    connectionsMaxReauthMs: number
    saslHandshakeTimeoutMs: number
    saslOauthbearerJwksEndpointUrl?: string
    saslOauthbearerJwksEndpointRefreshMs: number
    saslOauthbearerExpectedIssuer?: string
    saslOauthbearerExpectedAudience: string
    saslOauthbearerSubClaimName: string
    saslOauthbearerClockSkewSeconds: number
    saslOauthbearerAllowedAlgorithms: string
    authorizer: boolean
    superUsers: string
    allowEveryoneIfNoAclFound: boolean
    delegationTokenSecretKey?: string
    delegationTokenMaxLifetimeMs: number
    delegationTokenExpiryTimeMs: number
    delegationTokenExpiryCheckIntervalMs: number
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
  const mechanisms = mechanismsOf(security.saslEnabledMechanisms)
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
  const oauthBearer = oauthBearerOf(security)
  if (mechanisms.includes('OAUTHBEARER') && oauthBearer === undefined) {
    throw new ListenerConfigError(
      'sasl_oauthbearer_jwks_endpoint_url',
      'OAUTHBEARER needs a JWKS (URL or file) to check tokens against',
    )
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
      connectionsMaxReauthMs: security.connectionsMaxReauthMs,
      saslHandshakeTimeoutMs: security.saslHandshakeTimeoutMs,
      delegationTokens: delegationTokensOf(security),
      ...(oauthBearer === undefined ? {} : { oauthBearer }),
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

/** delegation.token.*: a secret key enables the token APIs. */
function delegationTokensOf(security: SecurityConfig['security']): DelegationTokenOptions {
  return {
    ...(security.delegationTokenSecretKey === undefined
      ? {}
      : { secretKey: security.delegationTokenSecretKey }),
    maxLifetimeMs: security.delegationTokenMaxLifetimeMs,
    expiryTimeMs: security.delegationTokenExpiryTimeMs,
    expiryCheckIntervalMs: security.delegationTokenExpiryCheckIntervalMs,
  }
}

/** sasl.enabled.mechanisms: known names, upper-cased, each once, in the order given. */
function mechanismsOf(text: string): SaslMechanism[] {
  const mechanisms: SaslMechanism[] = []
  for (const name of commaList(text).map((entry) => entry.toUpperCase())) {
    if (!isSaslMechanism(name)) {
      throw new ListenerConfigError(
        'sasl_enabled_mechanisms',
        `${name} is not PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
      )
    }
    if (!mechanisms.includes(name)) mechanisms.push(name)
  }
  return mechanisms
}

/** JWS algorithms a JWKS key can verify (jose's names); `none` is never one. */
const jwsAlgorithms = new Set([
  ...['RS', 'PS', 'ES', 'HS'].flatMap((family) => ['256', '384', '512'].map((bits) => `${family}${bits}`)),
  'EdDSA',
  'Ed25519',
])

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
}

/** OAUTHBEARER's settings, when a JWKS is configured. */
function oauthBearerOf(security: SecurityConfig['security']): OAuthBearerOptions | undefined {
  const allowedAlgorithms = commaList(security.saslOauthbearerAllowedAlgorithms)
  for (const algorithm of allowedAlgorithms) {
    if (!jwsAlgorithms.has(algorithm)) {
      throw new ListenerConfigError(
        'sasl_oauthbearer_allowed_algorithms',
        `${algorithm} is not a JWS algorithm (${[...jwsAlgorithms].join(', ')})`,
      )
    }
  }
  if (allowedAlgorithms.length === 0) {
    throw new ListenerConfigError('sasl_oauthbearer_allowed_algorithms', 'at least one algorithm is needed')
  }
  if (security.saslOauthbearerJwksEndpointUrl === undefined) return undefined
  return {
    jwksEndpointUrl: security.saslOauthbearerJwksEndpointUrl,
    jwksEndpointRefreshMs: security.saslOauthbearerJwksEndpointRefreshMs,
    ...(security.saslOauthbearerExpectedIssuer === undefined
      ? {}
      : { expectedIssuer: security.saslOauthbearerExpectedIssuer }),
    expectedAudiences: commaList(security.saslOauthbearerExpectedAudience),
    subClaimName: security.saslOauthbearerSubClaimName,
    clockSkewSeconds: security.saslOauthbearerClockSkewSeconds,
    allowedAlgorithms,
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
  sasl_oauthbearer_jwks_endpoint_url: 'saslOauthbearerJwksEndpointUrl',
  sasl_oauthbearer_allowed_algorithms: 'saslOauthbearerAllowedAlgorithms',
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
