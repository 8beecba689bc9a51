// The HTTP sink's auth.type=OAUTH2 (Confluent's oauth2.* options): an access token from the token
// endpoint by the client-credentials grant (RFC 6749 4.4), the client's id and secret sent as HTTP
// Basic (oauth2.client.auth.mode=header) or in the form body (url), with oauth2.client.scope. The
// token (oauth2.token.property of the JSON answer) is kept until shortly before its expires_in, or
// until the API answers 401, then fetched again.

import type { ParsedConfig } from '../sdk/config-def.ts'

/** A token is fetched again this long before the expiry the endpoint gave. */
const expiryMarginMs = 30_000

export class TokenRequestError extends Error {
  override name = 'TokenRequestError'
  constructor(
    message: string,
    /** The token endpoint's status (-1: no answer); 5xx, 429 and no answer are worth a retry. */
    readonly status: number,
  ) {
    super(message)
  }
  get retriable(): boolean {
    return this.status === -1 || this.status === 429 || this.status >= 500
  }
}

export class OAuth2TokenSource {
  private token: { value: string; expiresAtMs: number } | null = null
  private readonly url: string
  private readonly clientId: string
  private readonly clientSecret: string
  private readonly scope: string
  private readonly property: string
  private readonly inHeader: boolean
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number

  constructor(config: ParsedConfig) {
    this.url = config.optionalString('oauth2.token.url') ?? ''
    this.clientId = config.optionalString('oauth2.client.id') ?? ''
    this.clientSecret = config.optionalString('oauth2.client.secret') ?? ''
    this.scope = config.string('oauth2.client.scope')
    this.property = config.string('oauth2.token.property')
    this.inHeader = config.string('oauth2.client.auth.mode') === 'header'
    this.timeoutMs = config.number('request.timeout.ms')
    this.headers = parseHeaders(
      config.string('oauth2.client.headers'),
      config.string('oauth2.client.header.separator'),
    )
  }

  /** The current token, fetched when there is none or it is about to expire. */
  async current(): Promise<string> {
    if (this.token !== null && Date.now() < this.token.expiresAtMs) return this.token.value
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (this.scope !== '') form.set('scope', this.scope)
    const headers: Record<string, string> = {
      ...this.headers,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    }
    if (this.inHeader)
      headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`
    else {
      form.set('client_id', this.clientId)
      form.set('client_secret', this.clientSecret)
    }
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (error) {
      throw new TokenRequestError(
        `OAuth2 token request to ${this.url} failed: ${(error as Error).message}`,
        -1,
      )
    }
    const text = await response.text()
    if (!response.ok)
      throw new TokenRequestError(
        `OAuth2 token request to ${this.url} failed: HTTP ${response.status}: ${text.slice(0, 500)}`,
        response.status,
      )
    let answer: unknown
    try {
      answer = JSON.parse(text)
    } catch {
      answer = null
    }
    const body = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {}
    const value = body[this.property]
    if (typeof value !== 'string' || value === '')
      throw new TokenRequestError(
        `OAuth2 token endpoint ${this.url} answered without a string "${this.property}"`,
        response.status,
      )
    const expiresInS = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in)
    const lifetimeMs = Number.isFinite(expiresInS) && expiresInS > 0 ? expiresInS * 1000 : 3_600_000
    this.token = { value, expiresAtMs: Date.now() + Math.max(0, lifetimeMs - expiryMarginMs) }
    return value
  }

  /** Forgets the token (the API answered 401): the next request fetches a new one. */
  invalidate(): void {
    this.token = null
  }
}

/** `Name:Value` pairs separated by `separator` (Confluent's headers format). */
export function parseHeaders(text: string, separator: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const entry of text.split(separator)) {
    const colon = entry.indexOf(':')
    if (colon > 0) headers[entry.slice(0, colon).trim()] = entry.slice(colon + 1).trim()
  }
  return headers
}
