// Goal: member metadata and assignments are Kafka Connect's bytes (ConnectProtocol v0,
// IncrementalCooperativeConnectProtocol v1), and malformed bytes give a DecodeError, not a crash.
// Method: golden bytes written by hand from Kafka's Struct schemas; round trips; truncations.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DecodeError } from '../../errors.ts'
import {
  type ConnectAssignment,
  decodeAssignment,
  decodeWorkerState,
  encodeAssignment,
  encodeWorkerState,
} from './connect-protocol.ts'

const str = (text: string): Buffer => Buffer.concat([Buffer.from([0, text.length]), Buffer.from(text)])
const i16 = (value: number): Buffer => Buffer.from([(value >> 8) & 0xff, value & 0xff])
const i32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}
const i64 = (value: number): Buffer => {
  const buffer = Buffer.alloc(8)
  buffer.writeBigInt64BE(BigInt(value))
  return buffer
}

test('v0 metadata: version, url, config_offset', () => {
  const bytes = encodeWorkerState({ version: 0, url: 'http://w:1', configOffset: 7, allocation: null })
  assert.deepEqual(bytes, Buffer.concat([i16(0), str('http://w:1'), i64(7)]))
  assert.deepEqual(decodeWorkerState(bytes), {
    version: 0,
    url: 'http://w:1',
    configOffset: 7,
    allocation: null,
  })
})

test('v0 assignment: the connector instance is task -1', () => {
  const assignment: ConnectAssignment = {
    version: 0,
    error: 0,
    leader: 'm1',
    leaderUrl: 'http://l:2',
    configOffset: 3,
    connectors: ['a'],
    tasks: [{ connector: 'a', task: 0 }],
    revoked: { connectors: [], tasks: [] },
    scheduledDelayMs: 0,
  }
  const bytes = encodeAssignment(assignment)
  assert.deepEqual(
    bytes,
    Buffer.concat([
      i16(0),
      i16(0),
      str('m1'),
      str('http://l:2'),
      i64(3),
      i32(1),
      str('a'),
      i32(2),
      i32(-1),
      i32(0),
    ]),
  )
  assert.deepEqual(decodeAssignment(bytes), assignment)
})

test('v1 metadata carries the current allocation; v1 assignment carries revoked and the delay', () => {
  const allocation = { connectors: ['b'], tasks: [{ connector: 'b', task: 1 }] }
  const state = { version: 1, url: 'http://w:1', configOffset: 9, allocation }
  assert.deepEqual(decodeWorkerState(encodeWorkerState(state)), state)
  const empty = encodeWorkerState({ ...state, allocation: null })
  assert.deepEqual(empty, Buffer.concat([i16(1), str('http://w:1'), i64(9), i32(-1)]))
  const assignment: ConnectAssignment = {
    version: 1,
    error: 0,
    leader: 'm1',
    leaderUrl: 'http://l:2',
    configOffset: 3,
    connectors: [],
    tasks: [{ connector: 'a', task: 2 }],
    revoked: { connectors: ['c'], tasks: [{ connector: 'c', task: 0 }] },
    scheduledDelayMs: 1500,
  }
  const bytes = encodeAssignment(assignment)
  assert.deepEqual(bytes.subarray(bytes.length - 4), i32(1500))
  assert.deepEqual(decodeAssignment(bytes), assignment)
})

test('truncated or lying bytes: DecodeError with the field', () => {
  const bytes = encodeWorkerState({ version: 0, url: 'http://w:1', configOffset: 7, allocation: null })
  for (let cut = 0; cut < bytes.length; cut++)
    assert.throws(() => decodeWorkerState(bytes.subarray(0, cut)), DecodeError)
  const huge = Buffer.concat([i16(0), i16(0), str('m'), str('u'), i64(0), i32(1_000_000)])
  assert.throws(
    () => decodeAssignment(huge),
    (error: Error) => error instanceof DecodeError && /assignment/.test(error.message),
  )
  assert.throws(() => decodeAssignment(i16(-1)), DecodeError)
})
