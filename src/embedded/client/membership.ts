// Which group membership a consumer with a groupId holds: classic (JoinGroup/SyncGroup, client-side
// assignors, eager or cooperative) or KIP-848 (ConsumerGroupHeartbeat, the coordinator assigns).

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { assignorsNamed, defaultAssignorNames } from './assignors.ts'
import type { BrokerCalls } from './broker-calls.ts'
import { ConsumerGroupMember } from './consumer-group-member.ts'
import type { ConsumerOptions } from './consumer-options.ts'
import { GroupMember, type GroupMemberHooks, type Membership } from './group-member.ts'

export function createMembership<K, V>(
  calls: BrokerCalls,
  options: ConsumerOptions<K, V>,
  groupId: string,
  hooks: GroupMemberHooks,
): Membership {
  const protocol = options.groupProtocol ?? 'classic'
  if (protocol === 'consumer') {
    if (options.partitionAssigners !== undefined)
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        'partitionAssigners are for the classic protocol; with groupProtocol consumer the coordinator assigns (groupRemoteAssignor)',
      )
    return new ConsumerGroupMember(
      calls,
      {
        groupId,
        groupInstanceId: options.groupInstanceId ?? null,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 10_000,
        serverAssignor: options.groupRemoteAssignor ?? null,
      },
      hooks,
    )
  }
  if (protocol !== 'classic')
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `groupProtocol ${String(protocol)}: classic or consumer`)
  return new GroupMember(
    calls,
    {
      groupId,
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 10_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 500,
      assignors: assignorsNamed(options.partitionAssigners ?? defaultAssignorNames),
    },
    hooks,
  )
}
