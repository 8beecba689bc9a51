// Confluent's error answers: an HTTP status and a body {"error_code", "message"}. Routes and the
// store throw RegistryError; the app's one catch per request turns it into the answer. Codes are
// Confluent's (io.confluent.kafka.schemaregistry.rest.exceptions.Errors), with its messages where
// clients match on them.

export class RegistryError extends Error {
  readonly status: number
  readonly errorCode: number

  constructor(status: number, errorCode: number, message: string) {
    super(message)
    this.name = 'RegistryError'
    this.status = status
    this.errorCode = errorCode
  }
}

export const subjectNotFound = (subject: string): RegistryError =>
  new RegistryError(404, 40401, `Subject '${subject}' not found.`)
export const versionNotFound = (version: string | number): RegistryError =>
  new RegistryError(404, 40402, `Version ${version} not found.`)
export const schemaNotFound = (detail = 'Schema not found'): RegistryError =>
  new RegistryError(404, 40403, detail)
export const subjectSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40404,
    `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
  )
export const subjectNotSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`)
export const versionSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40406,
    `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
  )
export const versionNotSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  )
export const subjectLevelCompatibilityNotConfigured = (subject: string): RegistryError =>
  new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`)
export const subjectLevelModeNotConfigured = (subject: string): RegistryError =>
  new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`)
export const incompatibleSchema = (messages: readonly string[]): RegistryError =>
  new RegistryError(
    409,
    40901,
    `Schema being registered is incompatible with an earlier schema for subject; details: ${JSON.stringify(messages)}`,
  )
export const invalidSchema = (detail: string): RegistryError =>
  new RegistryError(422, 42201, `Invalid schema ${detail}`)
export const invalidVersion = (version: string): RegistryError =>
  new RegistryError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  )
export const invalidCompatibilityLevel = (level: string): RegistryError =>
  new RegistryError(
    422,
    42203,
    `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive (got ${level})`,
  )
export const invalidMode = (mode: string): RegistryError =>
  new RegistryError(
    422,
    42204,
    `Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, and IMPORT (got ${mode})`,
  )
export const operationNotPermitted = (detail: string): RegistryError => new RegistryError(422, 42205, detail)
export const referenceExists = (detail: string): RegistryError => new RegistryError(422, 42206, detail)
export const invalidSubject = (subject: string): RegistryError =>
  new RegistryError(422, 42208, `The specified subject '${subject}' is not a valid.`)
export const storeError = (detail: string): RegistryError => new RegistryError(500, 50001, detail)
export const operationTimeout = (detail: string): RegistryError => new RegistryError(500, 50002, detail)
export const forwardingError = (detail: string): RegistryError => new RegistryError(500, 50003, detail)
/** A request the HTTP layer refuses before any route: bad JSON, unknown field, too large. */
export const badRequest = (status: number, message: string): RegistryError =>
  new RegistryError(status, status, message)
