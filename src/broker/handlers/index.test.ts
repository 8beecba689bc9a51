// Goal: the handler registry is the one source of truth and cannot advertise what the spec lacks.
// Method: check order, uniqueness and version ranges against the generated API table, and that the
// ApiVersions list is derived from it exactly.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { apiDefinitions } from '../../protocol/generated/index.ts'
import { supportedApisOf } from '../start.ts'
import { handlers } from './index.ts'

it('lists each API key once, sorted by key', () => {
  const keys = handlers.map((handler) => handler.apiKey)
  assert.deepEqual(
    keys,
    [...new Set(keys)].sort((a, b) => a - b),
  )
})

it('serves only versions the spec defines', () => {
  for (const handler of handlers) {
    const definition = apiDefinitions[handler.apiKey]
    assert.ok(handler.versions.min >= definition.minVersion, definition.name)
    assert.ok(handler.versions.max <= definition.maxVersion, definition.name)
    assert.ok(handler.versions.min <= handler.versions.max, definition.name)
  }
})

it('derives the ApiVersions list from the registry', () => {
  assert.deepEqual(
    supportedApisOf(handlers),
    handlers.map((handler) => ({
      apiKey: handler.apiKey,
      minVersion: handler.versions.min,
      maxVersion: handler.versions.max,
    })),
  )
})
