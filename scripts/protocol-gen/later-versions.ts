// Versions Kafka added after the spec snapshot in ../shared/kafka-spec (October 2024, between 3.9
// and 4.0) that this broker serves. Each entry widens a message's valid versions and adds the fields
// that came with them, written from the KIP and Kafka 4.0's message definitions; the generator
// applies them to the parsed spec before emitting codecs, so the codecs stay generated.

import { type FieldSpec, type MessageSpec, parseRange } from './spec.ts'

interface AddedField {
  /** The struct the field belongs to (the message's own name for a top-level field). */
  struct: string
  field: FieldSpec
}

export interface LaterVersion {
  apiKey: number
  message: string
  /** The message's valid versions with the addition, as Kafka writes them ("0-1"). */
  validVersions: string
  /** The Kafka release that first served the new versions. */
  kafkaRelease: string
  fields: AddedField[]
}

export const laterVersions: readonly LaterVersion[] = [
  // KIP-1099: ConsumerGroupDescribe v1 says which members of a migrated group speak the classic protocol.
  {
    apiKey: 69,
    message: 'ConsumerGroupDescribeRequest',
    validVersions: '0-1',
    kafkaRelease: '4.0',
    fields: [],
  },
  {
    apiKey: 69,
    message: 'ConsumerGroupDescribeResponse',
    validVersions: '0-1',
    kafkaRelease: '4.0',
    fields: [
      {
        struct: 'Member',
        field: {
          name: 'MemberType',
          type: { kind: 'primitive', name: 'int8' },
          versions: parseRange('1+'),
          nullableVersions: parseRange(undefined),
          taggedVersions: null,
          tag: null,
          ignorable: true,
          defaultValue: '-1',
          flexibleVersions: null,
          about: '-1 for unknown. 0 for classic member. +1 for consumer member.',
        },
      },
    ],
  },
]

/** The API keys whose Kafka range goes past the spec snapshot, with the Kafka release that widened it. */
export function laterReleaseByApiKey(): Map<number, string> {
  return new Map(laterVersions.map((later) => [later.apiKey, later.kafkaRelease]))
}

/** Applies every later version to the parsed spec (in place); fails loudly when the spec moved on. */
export function applyLaterVersions(messages: MessageSpec[]): void {
  for (const later of laterVersions) {
    const message = messages.find((candidate) => candidate.name === later.message)
    if (message === undefined) throw new Error(`later version of unknown message ${later.message}`)
    const widened = parseRange(later.validVersions)
    // A newer spec that already has these versions makes the entry obsolete: remove it.
    if (message.validVersions.max >= widened.max) {
      throw new Error(
        `${later.message} already has versions ${later.validVersions}: drop its later-versions entry`,
      )
    }
    message.validVersions = widened
    for (const { struct, field } of later.fields) {
      const target = struct === message.name ? message.root : message.structs.get(struct)
      if (target === undefined) throw new Error(`${later.message} has no struct ${struct}`)
      target.fields.push(field)
    }
  }
}
