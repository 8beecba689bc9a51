// Goal: the pgoutput decoder reads PostgreSQL's logical replication messages and refuses malformed
// ones with a PgoutputError (never reading past the end, never crashing the worker).
// Method: frames built byte by byte as PostgreSQL sends them, then truncated and corrupted copies.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodePgoutput,
  decodeReplicationFrame,
  lsnText,
  PgoutputError,
  parseLsn,
  standbyStatusUpdate,
} from '../../src/connect/connectors/postgres/pgoutput.ts'

function insertMessage(): Buffer {
  const value = Buffer.from('hello')
  const parts = [
    Buffer.from('I'),
    Buffer.alloc(4),
    Buffer.from('N'),
    Buffer.alloc(2),
    Buffer.from('t'),
    Buffer.alloc(4),
    value,
    Buffer.from('n'),
  ]
  parts[1].writeUInt32BE(16384)
  parts[3].writeInt16BE(2)
  parts[5].writeInt32BE(value.length)
  return Buffer.concat(parts)
}

test('an Insert message inside an XLogData frame', () => {
  const header = Buffer.alloc(25)
  header.write('w', 0)
  header.writeBigUInt64BE(0x16b374d848n, 1)
  header.writeBigUInt64BE(0x16b374d900n, 9)
  const frame = decodeReplicationFrame(Buffer.concat([header, insertMessage()]))
  assert.deepEqual(frame, {
    tag: 'xlogdata',
    walStart: 0x16b374d848n,
    walEnd: 0x16b374d900n,
    message: { tag: 'insert', relationId: 16384, newTuple: ['hello', null] },
  })
})

test('a keepalive asking for a reply, and the standby status update answering it', () => {
  const keepalive = Buffer.alloc(18)
  keepalive.write('k', 0)
  keepalive.writeBigUInt64BE(1234n, 1)
  keepalive.writeUInt8(1, 17)
  assert.deepEqual(decodeReplicationFrame(keepalive), {
    tag: 'keepalive',
    walEnd: 1234n,
    replyRequested: true,
  })
  const update = standbyStatusUpdate(1234n, Date.now())
  assert.equal(update.length, 34)
  assert.equal(update.toString('latin1', 0, 1), 'r')
  assert.equal(update.readBigUInt64BE(9), 1234n)
})

test('truncated and unknown messages are PgoutputErrors', () => {
  const message = insertMessage()
  for (let length = 0; length < message.length - 1; length++)
    assert.throws(() => decodePgoutput(message.subarray(0, length)), PgoutputError, `length ${length}`)
  assert.throws(() => decodePgoutput(Buffer.from('Z')), PgoutputError)
  assert.throws(() => decodeReplicationFrame(Buffer.from('x')), PgoutputError)
  const hugeLength = Buffer.from(message)
  hugeLength.writeInt32BE(0x7fffffff, 10)
  assert.throws(() => decodePgoutput(hugeLength), PgoutputError)
  const relation = Buffer.concat([Buffer.from('R'), Buffer.alloc(4), Buffer.from('public')]) // no terminator
  assert.throws(() => decodePgoutput(relation), PgoutputError)
})

test('LSN text form both ways', () => {
  assert.equal(lsnText(0x16b374d848n), '16/B374D848')
  assert.equal(parseLsn('16/B374D848'), 0x16b374d848n)
  assert.throws(() => parseLsn('16-B3'), PgoutputError)
})
