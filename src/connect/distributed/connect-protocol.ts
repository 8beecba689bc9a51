// Kafka Connect's group protocol (protocol type `connect`), byte for byte as Kafka's ConnectProtocol
// (eager, protocol name "default", version 0) and IncrementalCooperativeConnectProtocol ("compatible",
// version 1) write it, so a member's metadata and the leader's assignments read the same here and in a
// Java worker. Kafka's Struct encoding: INT16/INT32/INT64 big-endian, STRING = INT16 length + UTF-8,
// ARRAY = INT32 count, NULLABLE_BYTES = INT32 length (-1: null).
//   metadata v0:   version, url, config_offset
//   metadata v1:   version, url, config_offset, allocation (nullable bytes: the member's current
//                  assignment, itself an encoded assignment)
//   assignment v0: version, error, leader, leader_url, config_offset, [connector, [task]]
//   assignment v1: … the same, then revoked [connector, [task]], scheduled_delay INT32
// A connector instance is the task id -1 (Kafka's CONNECTOR_TASK).

import { DecodeError } from '../../errors.ts'

export const connectProtocolType = 'connect'
export type ConnectProtocolName = 'default' | 'compatible'
export const connectorTaskId = -1
/** ConnectProtocol.Assignment: NO_ERROR, CONFIG_MISMATCH (the leader could not read the configs). */
export const assignmentNoError = 0
export const assignmentConfigMismatch = 1

/** What one worker runs: connector names and tasks as "<connector>-<n>" keys kept apart. */
export interface Allocation {
  connectors: string[]
  tasks: Array<{ connector: string; task: number }>
}

export interface WorkerState {
  version: number
  url: string
  configOffset: number
  allocation: Allocation | null
}

export interface ConnectAssignment extends Allocation {
  version: number
  error: number
  leader: string
  leaderUrl: string
  configOffset: number
  revoked: Allocation
  scheduledDelayMs: number
}

export const emptyAllocation = (): Allocation => ({ connectors: [], tasks: [] })

class StructWriter {
  private readonly parts: Buffer[] = []
  int16(value: number): this {
    const buffer = Buffer.alloc(2)
    buffer.writeInt16BE(value)
    this.parts.push(buffer)
    return this
  }
  int32(value: number): this {
    const buffer = Buffer.alloc(4)
    buffer.writeInt32BE(value)
    this.parts.push(buffer)
    return this
  }
  int64(value: number): this {
    const buffer = Buffer.alloc(8)
    buffer.writeBigInt64BE(BigInt(value))
    this.parts.push(buffer)
    return this
  }
  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8')
    this.int16(bytes.length)
    this.parts.push(bytes)
    return this
  }
  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1)
    this.int32(value.length)
    this.parts.push(value)
    return this
  }
  done(): Buffer {
    return Buffer.concat(this.parts)
  }
}

class StructReader {
  private offset = 0
  constructor(private readonly buffer: Buffer) {}
  private need(bytes: number, field: string): void {
    if (bytes < 0 || this.offset + bytes > this.buffer.length)
      throw new DecodeError(
        `Connect protocol: runs past the end (${this.buffer.length} bytes)`,
        this.offset,
        field,
      )
  }
  int16(field: string): number {
    this.need(2, field)
    const value = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return value
  }
  int32(field: string): number {
    this.need(4, field)
    const value = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return value
  }
  int64(field: string): number {
    this.need(8, field)
    const value = Number(this.buffer.readBigInt64BE(this.offset))
    this.offset += 8
    return value
  }
  string(field: string): string {
    const length = this.int16(field)
    this.need(length, field)
    const value = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return value
  }
  nullableBytes(field: string): Buffer | null {
    const length = this.int32(field)
    if (length === -1) return null
    this.need(length, field)
    const value = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }
  /** A count we check against what remains (each element takes at least `minBytes`). */
  count(field: string, minBytes: number): number {
    const count = this.int32(field)
    if (count < 0 || count * minBytes > this.buffer.length - this.offset)
      throw new DecodeError(`Connect protocol: count ${count} does not fit`, this.offset, field)
    return count
  }
}

export function encodeWorkerState(state: WorkerState): Buffer {
  const writer = new StructWriter().int16(state.version).string(state.url).int64(state.configOffset)
  if (state.version === 0) return writer.done()
  const allocation =
    state.allocation === null
      ? null
      : encodeAssignment({
          version: state.version,
          error: assignmentNoError,
          leader: '',
          leaderUrl: '',
          configOffset: state.configOffset,
          ...state.allocation,
          revoked: emptyAllocation(),
          scheduledDelayMs: 0,
        })
  return writer.nullableBytes(allocation).done()
}

export function decodeWorkerState(bytes: Buffer): WorkerState {
  const reader = new StructReader(bytes)
  const version = reader.int16('version')
  if (version < 0)
    throw new DecodeError(`Connect protocol: unknown metadata version ${version}`, 0, 'version')
  const url = reader.string('url')
  const configOffset = reader.int64('config_offset')
  if (version === 0) return { version, url, configOffset, allocation: null }
  const allocationBytes = reader.nullableBytes('allocation')
  const allocation = allocationBytes === null ? null : decodeAssignment(allocationBytes)
  return {
    version,
    url,
    configOffset,
    allocation: allocation === null ? null : { connectors: allocation.connectors, tasks: allocation.tasks },
  }
}

function writeAllocation(writer: StructWriter, allocation: Allocation): void {
  const byConnector = new Map<string, number[]>()
  for (const name of allocation.connectors) byConnector.set(name, [connectorTaskId])
  for (const { connector, task } of allocation.tasks)
    byConnector.set(connector, [...(byConnector.get(connector) ?? []), task])
  writer.int32(byConnector.size)
  for (const [connector, tasks] of byConnector) {
    writer.string(connector).int32(tasks.length)
    for (const task of tasks) writer.int32(task)
  }
}

function readAllocation(reader: StructReader, field: string): Allocation {
  const allocation = emptyAllocation()
  const count = reader.count(field, 6)
  for (let index = 0; index < count; index++) {
    const connector = reader.string(`${field}.connector`)
    const tasks = reader.count(`${field}.tasks`, 4)
    for (let task = 0; task < tasks; task++) {
      const id = reader.int32(`${field}.tasks`)
      if (id === connectorTaskId) allocation.connectors.push(connector)
      else allocation.tasks.push({ connector, task: id })
    }
  }
  return allocation
}

export function encodeAssignment(assignment: ConnectAssignment): Buffer {
  const writer = new StructWriter()
    .int16(assignment.version)
    .int16(assignment.error)
    .string(assignment.leader)
    .string(assignment.leaderUrl)
    .int64(assignment.configOffset)
  writeAllocation(writer, assignment)
  if (assignment.version === 0) return writer.done()
  writeAllocation(writer, assignment.revoked)
  return writer.int32(assignment.scheduledDelayMs).done()
}

export function decodeAssignment(bytes: Buffer): ConnectAssignment {
  const reader = new StructReader(bytes)
  const version = reader.int16('version')
  if (version < 0)
    throw new DecodeError(`Connect protocol: unknown assignment version ${version}`, 0, 'version')
  const error = reader.int16('error')
  const leader = reader.string('leader')
  const leaderUrl = reader.string('leader_url')
  const configOffset = reader.int64('config_offset')
  const assigned = readAllocation(reader, 'assignment')
  const revoked = version === 0 ? emptyAllocation() : readAllocation(reader, 'revoked')
  const scheduledDelayMs = version === 0 ? 0 : reader.int32('scheduled_delay')
  return { version, error, leader, leaderUrl, configOffset, ...assigned, revoked, scheduledDelayMs }
}
