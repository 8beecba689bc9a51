// Starts the broker's Kafka listeners: one per ListenerSpec, TLS for SSL and SASL_SSL, each
// connection with its ConnectionSession, each listener with its own advertised address (Metadata
// and FindCoordinator answer with the listener the client came through). Opens the credential store
// (users file, then the data dir's changes) and warns about a non-loopback listener without
// authentication.

import { readFile } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { TLSSocket, type TlsOptions } from 'node:tls'
import type { BrokerIdentity, BrokerServices } from '../broker/handler.ts'
import type { Router } from '../broker/router.ts'
import { type KafkaListener, listen } from '../broker/server.ts'
import type { BrokerLimits } from '../config/limits.ts'
import { ConfigError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { StateDocuments } from '../storage/state-file.ts'
import type { AuthorizerOptions } from './acl/authorizer.ts'
import { CredentialStore } from './credential-store.ts'
import {
  type DelegationTokenOptions,
  DelegationTokenStore,
  defaultDelegationTokenOptions,
} from './delegation-tokens.ts'
import { isLoopback, type ListenerSpec, type SecurityProtocol, usesSasl, usesTls } from './listeners.ts'
import type { OAuthBearerOptions } from './oauth-token-validator.ts'
import {
  type CertificateSubject,
  distinguishedNameOf,
  mapDistinguishedName,
  parseMappingRules,
  userPrincipal,
} from './principal.ts'
import type { SaslMechanism } from './sasl.ts'
import { ConnectionSession, type SecurityServices } from './session.ts'

export interface SecurityStartOptions {
  tls?: { certFile: string; keyFile: string; caFile?: string; clientAuth: 'none' | 'requested' | 'required' }
  principalMappingRules: string
  saslMechanisms: SaslMechanism[]
  usersFile?: string
  failedAuthenticationDelayMs: number
  /** connections.max.reauth.ms (KIP-368); 0: sessions last as long as their credential. */
  connectionsMaxReauthMs: number
  /** A SASL connection still unauthenticated after this long is closed; 0: never. */
  saslHandshakeTimeoutMs: number
  /** The JWKS and claim checks of OAUTHBEARER; required when saslMechanisms has it. */
  oauthBearer?: OAuthBearerOptions
  /** ACL enforcement (src/security/acl); absent: off, everyone may do everything. */
  authorizer?: AuthorizerOptions
  /** delegation.token.* (a secret key enables the token APIs); absent: Kafka's defaults, disabled. */
  delegationTokens?: DelegationTokenOptions
}

export const defaultSecurityStartOptions: SecurityStartOptions = {
  principalMappingRules: 'DEFAULT',
  saslMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
  failedAuthenticationDelayMs: 100,
  connectionsMaxReauthMs: 0,
  saslHandshakeTimeoutMs: 10_000,
}

/** Credentials: the users file first, then what AlterUserScramCredentials changed (data dir); the
 * OAUTHBEARER JWKS (a file is read now, an endpoint when the first token arrives). */
export async function openSecurityServices(
  options: SecurityStartOptions,
  storage: { dataDir?: string; documents?: StateDocuments },
): Promise<SecurityServices> {
  if (options.saslMechanisms.includes('OAUTHBEARER') && options.oauthBearer === undefined) {
    throw new ConfigError(
      'security.sasl_oauthbearer_jwks_endpoint_url',
      'OAUTHBEARER is enabled but no JWKS is configured to check its tokens',
    )
  }
  // jose is loaded only when OAUTHBEARER is configured (tens of ms of start-up otherwise).
  const oauthBearer =
    options.oauthBearer === undefined
      ? undefined
      : await (await import('./oauth-token-validator.ts')).openTokenValidator(options.oauthBearer)
  // Imported only when a users file is given: it loads YAML, TOML and zod, which a start without one
  // does not need (bench/RESULTS.md, Startup).
  const bootstrap =
    options.usersFile === undefined
      ? []
      : await (await import('./users-file.ts')).readUsersFile(options.usersFile)
  const credentials = new CredentialStore({ ...storage, bootstrap })
  await credentials.load()
  const delegationTokens = new DelegationTokenStore({
    ...storage,
    tokens: options.delegationTokens ?? defaultDelegationTokenOptions,
  })
  await delegationTokens.load()
  return {
    credentials,
    delegationTokens,
    mechanisms: options.saslMechanisms,
    failedAuthenticationDelayMs: options.failedAuthenticationDelayMs,
    connectionsMaxReauthMs: options.connectionsMaxReauthMs,
    saslHandshakeTimeoutMs: options.saslHandshakeTimeoutMs,
    ...(oauthBearer === undefined ? {} : { oauthBearer }),
  }
}

export async function readPem(key: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (error) {
    throw new ConfigError(
      key,
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

/** As in Kafka, ssl.client.auth applies to SSL listeners; SASL_SSL clients authenticate with SASL. */
async function tlsOptionsOf(options: SecurityStartOptions, protocol: SecurityProtocol): Promise<TlsOptions> {
  const tls = options.tls
  if (tls === undefined) throw new ConfigError('security.ssl_cert_file', 'a TLS listener needs a certificate')
  const clientAuth = protocol === 'SSL' ? tls.clientAuth : 'none'
  return {
    cert: await readPem('security.ssl_cert_file', tls.certFile),
    key: await readPem('security.ssl_key_file', tls.keyFile),
    ...(tls.caFile === undefined ? {} : { ca: await readPem('security.ssl_ca_file', tls.caFile) }),
    requestCert: clientAuth !== 'none',
    // requested: a certificate is checked when given; the principal comes only from a verified one.
    rejectUnauthorized: clientAuth === 'required',
    minVersion: 'TLSv1.2',
  }
}

export interface BrokerListeners extends KafkaListener {
  /** Every listener with its name, protocol and bound address, in configuration order. */
  all: Array<{ name: string; securityProtocol: ListenerSpec['securityProtocol']; host: string; port: number }>
}

export async function startListeners(options: {
  specs: readonly ListenerSpec[]
  security: SecurityStartOptions
  services: BrokerServices
  router: Router
  limits: BrokerLimits
  log: Logger
}): Promise<BrokerListeners> {
  const { specs, security, services, router, limits, log } = options
  const rules = parseMappingRules(security.principalMappingRules)
  const securityServices = services.security
  if (securityServices === undefined) throw new Error('startListeners needs services.security')
  const started: Array<{ spec: ListenerSpec; listener: KafkaListener }> = []
  try {
    for (const [index, spec] of specs.entries()) {
      // The first listener's identity is the broker's own (HTTP views it); the others get a copy.
      const identity: BrokerIdentity = index === 0 ? services.identity : { ...services.identity }
      const listenerServices: BrokerServices = index === 0 ? services : { ...services, identity }
      const connectionInfo = (socket: Socket) => {
        const session = new ConnectionSession({
          listenerName: spec.name,
          securityProtocol: spec.securityProtocol,
          security: securityServices,
          log: log.child({ client: `${socket.remoteAddress}:${socket.remotePort}` }),
        })
        const subject = verifiedSubject(socket)
        if (subject !== null) {
          session.principal = userPrincipal(mapDistinguishedName(rules, subject))
          log.debug({ principal: session.principal, listener: spec.name }, 'TLS client authenticated')
        }
        return { session, services: listenerServices }
      }
      const tls = usesTls(spec.securityProtocol)
        ? await tlsOptionsOf(security, spec.securityProtocol)
        : undefined
      const listener = await listen({
        host: spec.host,
        port: spec.port,
        router,
        limits,
        log,
        tls,
        connectionInfo,
      })
      started.push({ spec, listener })
      identity.host = spec.advertised?.host ?? listener.host
      identity.port = spec.advertised?.port ?? listener.port
      log.info(
        {
          listener: spec.name,
          securityProtocol: spec.securityProtocol,
          host: listener.host,
          port: listener.port,
        },
        'listener started',
      )
      warnIfOpen(spec, security, log)
    }
  } catch (error) {
    for (const { listener } of started) await listener.close()
    throw error
  }
  const first = started[0].listener
  return {
    host: first.host,
    port: first.port,
    all: started.map(({ spec, listener }) => ({
      name: spec.name,
      securityProtocol: spec.securityProtocol,
      host: listener.host,
      port: listener.port,
    })),
    stopAccepting: () => {
      for (const { listener } of started) listener.stopAccepting()
    },
    get connectionCount() {
      return started.reduce((sum, { listener }) => sum + listener.connectionCount, 0)
    },
    close: async () => {
      await Promise.all(started.map(({ listener }) => listener.close()))
    },
  }
}

/** The subject DN of a client certificate the CA verified; null without one. */
function verifiedSubject(socket: Socket): string | null {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null
  const certificate = socket.getPeerCertificate()
  if (certificate === null || typeof certificate !== 'object' || certificate.subject === undefined)
    return null
  return distinguishedNameOf(certificate.subject as unknown as CertificateSubject)
}

function warnIfOpen(spec: ListenerSpec, security: SecurityStartOptions, log: Logger): void {
  if (usesSasl(spec.securityProtocol) || isLoopback(spec.host)) return
  if (spec.securityProtocol === 'SSL' && security.tls?.clientAuth === 'required') return
  // SSL authenticates only with client certificates; PLAINTEXT never does.
  log.warn(
    { listener: spec.name, host: spec.host, securityProtocol: spec.securityProtocol },
    `listener ${spec.name} on ${spec.host} is reachable from the network without SASL authentication: ` +
      'anyone who can connect can read and write every topic (see docs/security.md)',
  )
}
