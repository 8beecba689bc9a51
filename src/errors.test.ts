// Goal: error classes are recognised by `instanceof` across module copies (branded), while a
// subclass without its own check (InvalidRecordsError extends KafkaError) only matches its own
// instances — the bug that made every refused Produce v8+ look like a per-record refusal.
// Method: instances of each class checked against every class.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { DecodeError, KafkaError, StorageError, StreamlineError } from './errors.ts'

class NarrowKafkaError extends KafkaError {}

it('brands match by kind, subclasses by prototype', () => {
  const kafka = new KafkaError(3, 'unknown topic')
  const narrow = new NarrowKafkaError(87, 'invalid record')
  const decode = new DecodeError('short', 4, 'field')
  assert.ok(kafka instanceof StreamlineError && kafka instanceof KafkaError)
  assert.ok(!(kafka instanceof NarrowKafkaError))
  assert.ok(
    narrow instanceof NarrowKafkaError && narrow instanceof KafkaError && narrow instanceof StreamlineError,
  )
  assert.ok(
    !(decode instanceof KafkaError) && !(decode instanceof StorageError) && decode instanceof DecodeError,
  )
  // A look-alike from another copy of the module (same brand and code) still counts.
  const copy = Object.assign(Object.create(Error.prototype), {
    [Symbol.for('streamline.error')]: true,
    code: 'SL_ERR_KAFKA',
  })
  assert.ok(copy instanceof KafkaError)
})
