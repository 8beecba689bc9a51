// The schema registry's listener and authentication, in Confluent's terms: `listeners`
// (http://host:port or https://host:port; one listener) and `authentication.method` (BASIC, NONE; ours
// adds AUTO, the default: basic auth as soon as the broker has SCRAM users). An https listener uses the
// broker's PEM certificate and key (`[security] ssl_cert_file`, `ssl_key_file`), as its TLS listeners
// do; Confluent's keystore settings have no other equivalent here.

import type { StartBrokerOptions } from '../broker/start.ts'
import { ConfigError } from '../errors.ts'
import type { StreamlineConfig } from './schema.ts'

type RegistryOptions = Pick<StartBrokerOptions, 'registryAddr' | 'registryTls' | 'registryAuthentication'>

/** `http://host:port` or `https://host:port` → the address and whether it is TLS. */
function listenerOf(listeners: string): { addr: string; tls: boolean } {
  const match = /^(https?):\/\/([^/,\s]+:\d+)\/?$/i.exec(listeners.trim())
  if (match === null) {
    throw new ConfigError(
      'registry_listeners',
      `${listeners} is not one listener such as https://127.0.0.1:8081 (http or https, host and port)`,
    )
  }
  return { addr: match[2], tls: match[1].toLowerCase() === 'https' }
}

export function registryOptionsOf(config: StreamlineConfig): RegistryOptions {
  const authentication = { registryAuthentication: config.registryAuthenticationMethod }
  if (!config.registryEnabled) return { registryAddr: null, ...authentication }
  if (config.registryListeners === undefined) return { registryAddr: config.registryAddr, ...authentication }
  const { addr, tls } = listenerOf(config.registryListeners)
  if (!tls) return { registryAddr: addr, ...authentication }
  const { sslCertFile, sslKeyFile } = config.security
  if (sslCertFile === undefined || sslKeyFile === undefined) {
    throw new ConfigError(
      sslCertFile === undefined ? 'security.ssl_cert_file' : 'security.ssl_key_file',
      'an https registry listener needs security.ssl_cert_file and ssl_key_file',
    )
  }
  return {
    registryAddr: addr,
    registryTls: { certFile: sslCertFile, keyFile: sslKeyFile },
    ...authentication,
  }
}
