// Decoder of PostgreSQL's logical replication stream: the CopyData frames of the streaming protocol
// (XLogData 'w', primary keepalive 'k') and the pgoutput plugin's messages, protocol version 1
// (https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html). Every length is
// checked against what remains: a malformed frame throws a PgoutputError, never reads past the end.

export class PgoutputError extends Error {
  override name = 'PgoutputError'
}

/** A column as a Relation message describes it. */
export interface RelationColumn {
  name: string
  typeOid: number
  /** Part of the replica identity (the primary key by default). */
  key: boolean
}

export interface Relation {
  id: number
  schema: string
  table: string
  /** 'd' default, 'n' nothing, 'f' full, 'i' index. */
  replicaIdentity: string
  columns: RelationColumn[]
}

/** A column value: text, null, or PostgreSQL's "unchanged TOASTed value" (not sent). */
export type TupleValue = string | null | { unchangedToast: true }

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTimeUs: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTimeUs: bigint }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | {
      tag: 'update'
      relationId: number
      keyTuple: TupleValue[] | null
      oldTuple: TupleValue[] | null
      newTuple: TupleValue[]
    }
  | { tag: 'delete'; relationId: number; keyTuple: TupleValue[] | null; oldTuple: TupleValue[] | null }
  | { tag: 'truncate'; relationIds: number[] }
  | { tag: 'other'; code: string }

export type ReplicationFrame =
  | { tag: 'xlogdata'; walStart: bigint; walEnd: bigint; message: PgoutputMessage }
  | { tag: 'keepalive'; walEnd: bigint; replyRequested: boolean }

class Reader {
  private position = 0
  constructor(private readonly buffer: Buffer) {}
  private need(bytes: number): void {
    if (this.position + bytes > this.buffer.length)
      throw new PgoutputError(
        `truncated message: ${bytes} bytes wanted at ${this.position} of ${this.buffer.length}`,
      )
  }
  byte(): number {
    this.need(1)
    return this.buffer[this.position++]
  }
  char(): string {
    return String.fromCharCode(this.byte())
  }
  int16(): number {
    this.need(2)
    const value = this.buffer.readInt16BE(this.position)
    this.position += 2
    return value
  }
  int32(): number {
    this.need(4)
    const value = this.buffer.readInt32BE(this.position)
    this.position += 4
    return value
  }
  uint32(): number {
    this.need(4)
    const value = this.buffer.readUInt32BE(this.position)
    this.position += 4
    return value
  }
  int64(): bigint {
    this.need(8)
    const value = this.buffer.readBigUInt64BE(this.position)
    this.position += 8
    return value
  }
  cstring(): string {
    const end = this.buffer.indexOf(0, this.position)
    if (end === -1) throw new PgoutputError('unterminated string')
    const text = this.buffer.toString('utf8', this.position, end)
    this.position = end + 1
    return text
  }
  bytes(length: number): Buffer {
    if (length < 0) throw new PgoutputError(`negative length ${length}`)
    this.need(length)
    const slice = this.buffer.subarray(this.position, this.position + length)
    this.position += length
    return slice
  }
  rest(): Buffer {
    const slice = this.buffer.subarray(this.position)
    this.position = this.buffer.length
    return slice
  }
}

/** One CopyData payload of a START_REPLICATION stream. */
export function decodeReplicationFrame(frame: Buffer): ReplicationFrame {
  const reader = new Reader(frame)
  const code = reader.char()
  if (code === 'w') {
    const walStart = reader.int64()
    const walEnd = reader.int64()
    reader.int64() // send time
    return { tag: 'xlogdata', walStart, walEnd, message: decodePgoutput(reader.rest()) }
  }
  if (code === 'k') {
    const walEnd = reader.int64()
    reader.int64() // send time
    return { tag: 'keepalive', walEnd, replyRequested: reader.byte() === 1 }
  }
  throw new PgoutputError(`unknown replication frame ${JSON.stringify(code)}`)
}

/** The Standby Status Update ('r') telling the server what is written, flushed and applied. */
export function standbyStatusUpdate(lsn: bigint, nowMs: number, replyRequested = false): Buffer {
  const frame = Buffer.alloc(34)
  frame.write('r', 0)
  frame.writeBigUInt64BE(lsn, 1)
  frame.writeBigUInt64BE(lsn, 9)
  frame.writeBigUInt64BE(lsn, 17)
  frame.writeBigInt64BE(BigInt(nowMs - postgresEpochMs) * 1000n, 25)
  frame.writeUInt8(replyRequested ? 1 : 0, 33)
  return frame
}

/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for replication timestamps. */
export const postgresEpochMs = 946_684_800_000

export function decodePgoutput(message: Buffer): PgoutputMessage {
  const reader = new Reader(message)
  const code = reader.char()
  switch (code) {
    case 'B': {
      const finalLsn = reader.int64()
      const commitTimeUs = reader.int64()
      return { tag: 'begin', finalLsn, commitTimeUs, xid: reader.uint32() }
    }
    case 'C': {
      reader.byte() // flags
      const commitLsn = reader.int64()
      const endLsn = reader.int64()
      return { tag: 'commit', commitLsn, endLsn, commitTimeUs: reader.int64() }
    }
    case 'R': {
      const id = reader.uint32()
      const schema = reader.cstring()
      const table = reader.cstring()
      const replicaIdentity = reader.char()
      const count = reader.int16()
      const columns: RelationColumn[] = []
      for (let index = 0; index < count; index++) {
        const flags = reader.byte()
        const name = reader.cstring()
        const typeOid = reader.uint32()
        reader.int32() // type modifier
        columns.push({ name, typeOid, key: (flags & 1) === 1 })
      }
      return { tag: 'relation', relation: { id, schema, table, replicaIdentity, columns } }
    }
    case 'I': {
      const relationId = reader.uint32()
      expectChar(reader, 'N')
      return { tag: 'insert', relationId, newTuple: tupleData(reader) }
    }
    case 'U': {
      const relationId = reader.uint32()
      let keyTuple: TupleValue[] | null = null
      let oldTuple: TupleValue[] | null = null
      let kind = reader.char()
      if (kind === 'K') keyTuple = tupleData(reader)
      if (kind === 'O') oldTuple = tupleData(reader)
      if (kind !== 'N') kind = reader.char()
      if (kind !== 'N') throw new PgoutputError(`update without a new tuple (${JSON.stringify(kind)})`)
      return { tag: 'update', relationId, keyTuple, oldTuple, newTuple: tupleData(reader) }
    }
    case 'D': {
      const relationId = reader.uint32()
      const kind = reader.char()
      if (kind !== 'K' && kind !== 'O')
        throw new PgoutputError(`delete without an old tuple (${JSON.stringify(kind)})`)
      const tuple = tupleData(reader)
      return {
        tag: 'delete',
        relationId,
        keyTuple: kind === 'K' ? tuple : null,
        oldTuple: kind === 'O' ? tuple : null,
      }
    }
    case 'T': {
      const count = reader.int32()
      reader.byte() // options (CASCADE, RESTART IDENTITY)
      if (count < 0) throw new PgoutputError(`negative relation count ${count}`)
      const relationIds: number[] = []
      for (let index = 0; index < count; index++) relationIds.push(reader.uint32())
      return { tag: 'truncate', relationIds }
    }
    case 'O':
    case 'Y':
    case 'M':
      return { tag: 'other', code }
    default:
      throw new PgoutputError(`unknown pgoutput message ${JSON.stringify(code)}`)
  }
}

function expectChar(reader: Reader, wanted: string): void {
  const found = reader.char()
  if (found !== wanted) throw new PgoutputError(`expected ${wanted}, found ${JSON.stringify(found)}`)
}

function tupleData(reader: Reader): TupleValue[] {
  const count = reader.int16()
  if (count < 0) throw new PgoutputError(`negative column count ${count}`)
  const values: TupleValue[] = []
  for (let index = 0; index < count; index++) {
    const kind = reader.char()
    if (kind === 'n') values.push(null)
    else if (kind === 'u') values.push({ unchangedToast: true })
    else if (kind === 't') values.push(reader.bytes(reader.int32()).toString('utf8'))
    else
      throw new PgoutputError(
        `unsupported column kind ${JSON.stringify(kind)} (binary mode is not asked for)`,
      )
  }
  return values
}

/** "16/B374D848", PostgreSQL's text form of an LSN. */
export function lsnText(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`
}

export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text)
  if (match === null) throw new PgoutputError(`not an LSN: ${text}`)
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`)
}
