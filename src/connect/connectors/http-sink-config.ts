// The HTTP sink's options: Confluent's HTTP sink connector names (io.confluent.connect.http.HttpSinkConnector).

import { atLeast, type ConfigDef, oneOf } from '../sdk/config-def.ts'

export const httpSinkDefinition: ConfigDef = [
  {
    name: 'http.api.url',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'HTTP API URL.',
    validate: (value) =>
      typeof value === 'string' && /^https?:\/\/\S+$/.test(value)
        ? null
        : 'must be an http:// or https:// URL',
  },
  {
    name: 'request.method',
    type: 'STRING',
    defaultValue: 'POST',
    importance: 'HIGH',
    documentation: 'HTTP Request Method.',
    validate: oneOf('POST', 'PUT', 'PATCH'),
  },
  {
    name: 'headers',
    type: 'STRING',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation: 'HTTP headers, Name:Value separated by header.separator.',
  },
  {
    name: 'header.separator',
    type: 'STRING',
    defaultValue: '|',
    importance: 'LOW',
    documentation: 'Separator of the headers.',
  },
  {
    name: 'auth.type',
    type: 'STRING',
    defaultValue: 'NONE',
    importance: 'HIGH',
    documentation:
      'NONE, BASIC (connection.user / connection.password) or OAUTH2 (a client-credentials token from oauth2.token.url).',
    validate: oneOf('NONE', 'BASIC', 'OAUTH2'),
  },
  {
    name: 'oauth2.token.url',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The URL to be used for fetching the OAuth2 token (auth.type=OAUTH2).',
    validate: (value) =>
      value === null || (typeof value === 'string' && /^https?:\/\/\S+$/.test(value))
        ? null
        : 'must be an http:// or https:// URL',
  },
  {
    name: 'oauth2.client.id',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The client id used when fetching the OAuth2 token.',
  },
  {
    name: 'oauth2.client.secret',
    type: 'PASSWORD',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The secret used when fetching the OAuth2 token.',
  },
  {
    name: 'oauth2.token.property',
    type: 'STRING',
    defaultValue: 'access_token',
    importance: 'MEDIUM',
    documentation: "The name of the property holding the token in the token endpoint's JSON answer.",
  },
  {
    name: 'oauth2.client.scope',
    type: 'STRING',
    defaultValue: 'any',
    importance: 'MEDIUM',
    documentation: 'The scope parameter sent to the token endpoint (empty: none).',
  },
  {
    name: 'oauth2.client.auth.mode',
    type: 'STRING',
    defaultValue: 'header',
    importance: 'MEDIUM',
    documentation:
      'How the client id and secret reach the token endpoint: header (HTTP Basic) or url (form parameters client_id and client_secret).',
    validate: oneOf('header', 'url'),
  },
  {
    name: 'oauth2.client.headers',
    type: 'STRING',
    defaultValue: '',
    importance: 'LOW',
    documentation: 'Headers of the token request, Name:Value separated by oauth2.client.header.separator.',
  },
  {
    name: 'oauth2.client.header.separator',
    type: 'STRING',
    defaultValue: '|',
    importance: 'LOW',
    documentation: 'Separator of the oauth2.client.headers.',
  },
  {
    name: 'connection.user',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The username for basic authentication.',
  },
  {
    name: 'connection.password',
    type: 'PASSWORD',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The password for basic authentication.',
  },
  {
    name: 'batch.max.size',
    type: 'INT',
    defaultValue: 1,
    importance: 'HIGH',
    documentation: 'The number of records accumulated in a batch before the HTTP API is invoked.',
    validate: atLeast(1),
  },
  {
    name: 'batch.json.as.array',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation: 'Send a batch as a JSON array.',
  },
  {
    name: 'batch.prefix',
    type: 'STRING',
    defaultValue: '',
    importance: 'LOW',
    documentation: 'Prefix added to record batches.',
  },
  {
    name: 'batch.suffix',
    type: 'STRING',
    defaultValue: '',
    importance: 'LOW',
    documentation: 'Suffix added to record batches.',
  },
  {
    name: 'batch.separator',
    type: 'STRING',
    defaultValue: ',',
    importance: 'LOW',
    documentation: 'Separator for records in a batch.',
  },
  {
    name: 'max.retries',
    type: 'INT',
    defaultValue: 10,
    importance: 'MEDIUM',
    documentation: 'The maximum number of times to retry on 429, 5xx and connection errors.',
    validate: atLeast(0),
  },
  {
    name: 'retry.backoff.ms',
    type: 'INT',
    defaultValue: 3000,
    importance: 'MEDIUM',
    documentation: 'The first wait before a retry, doubled on each further retry.',
    validate: atLeast(0),
  },
  {
    name: 'request.timeout.ms',
    type: 'INT',
    defaultValue: 30_000,
    importance: 'LOW',
    documentation: 'Time to wait for an answer.',
    validate: atLeast(1),
  },
  {
    name: 'behavior.on.error',
    type: 'STRING',
    defaultValue: 'fail',
    importance: 'MEDIUM',
    documentation:
      'A batch that failed for good (4xx, or retries exhausted) without an error topic: fail the task, or log and skip it.',
    validate: oneOf('fail', 'log', 'ignore'),
  },
  {
    name: 'reporter.error.topic.name',
    type: 'STRING',
    defaultValue: null,
    importance: 'MEDIUM',
    documentation: 'The dead-letter topic for records of batches that failed for good.',
  },
  {
    name: 'reporter.result.topic.name',
    type: 'STRING',
    defaultValue: null,
    importance: 'MEDIUM',
    documentation:
      "The topic receiving, for every record the API accepted, the answer body with the input record's coordinates in headers.",
  },
  {
    name: 'reporter.bootstrap.servers',
    type: 'LIST',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation: 'Kafka bootstrap servers of the error and result topics.',
  },
]
