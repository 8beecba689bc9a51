// Every consumer group of the cluster, read from PostgreSQL, for the HTTP API's group pages (a Kafka
// ListGroups still answers only the groups of the broker asked, as Kafka's does; admin clients such as
// streamline-cli ask every broker). A group coordinated by the broker asked is listed from its
// coordinator (exact state); the others from their stored records: a classic group with members in
// its last stored metadata is Stable, a KIP-848 group with member records is Stable, any other group
// (offsets only, no members) is Empty. Rebalancing states are not stored, so they show as Stable.

import { decodeOffsetsTopicRecord } from '../coordinator/group/offsets-topic-records.ts'
import type { MetadataDatabase } from './database.ts'

export interface StoredGroupListing {
  groupId: string
  state: string
  protocolType: string
  /** The coordinator slot of the group (`coordinator_leases.slot`). */
  slot: number
}

/** Every group with records or committed offsets in PostgreSQL, by group id. */
export async function storedGroupListings(database: MetadataDatabase): Promise<StoredGroupListing[]> {
  const [records, offsets] = await Promise.all([
    database.query<{ group_id: string; coordinator_slot: number; record_key: Buffer; record_value: Buffer }>(
      'SELECT group_id, coordinator_slot, record_key, record_value FROM group_records ORDER BY written',
    ),
    database.query<{ group_id: string; coordinator_slot: number }>(
      'SELECT DISTINCT group_id, coordinator_slot FROM group_offsets',
    ),
  ])
  const listings = new Map<string, StoredGroupListing & { members: Set<string> }>()
  const listingOf = (groupId: string, slot: number) => {
    let listing = listings.get(groupId)
    if (listing === undefined) {
      listing = { groupId, state: 'Empty', protocolType: '', slot, members: new Set() }
      listings.set(groupId, listing)
    }
    return listing
  }
  for (const row of offsets) listingOf(row.group_id, row.coordinator_slot)
  for (const row of records) {
    const listing = listingOf(row.group_id, row.coordinator_slot)
    const record = decodeOffsetsTopicRecord(row.record_key, row.record_value)
    if (record?.kind === 'group' && record.value !== null) {
      listing.protocolType = record.value.protocolType
      listing.members = new Set(record.value.members.map((member) => member.memberId))
    } else if (record?.kind === 'consumer') {
      listing.protocolType = 'consumer'
      if (record.record.type === 'MemberMetadata' && record.record.value !== null)
        listing.members.add(record.record.memberId)
    }
  }
  return [...listings.values()]
    .map(({ members, ...listing }) => ({ ...listing, state: members.size > 0 ? 'Stable' : 'Empty' }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
}
