// THE handler registry, sorted by API key. The router's dispatch table, the ApiVersions response
// and the README's API table are all derived from this one list.

import type { AnyHandler } from '../handler.ts'
import { addOffsetsToTxn } from './add-offsets-to-txn.ts'
import { addPartitionsToTxn } from './add-partitions-to-txn.ts'
import { alterClientQuotas } from './alter-client-quotas.ts'
import { alterConfigs } from './alter-configs.ts'
import { alterPartitionReassignments } from './alter-partition-reassignments.ts'
import { alterReplicaLogDirs } from './alter-replica-log-dirs.ts'
import { alterUserScramCredentials } from './alter-user-scram-credentials.ts'
import { apiVersions } from './api-versions.ts'
import { consumerGroupDescribe } from './consumer-group-describe.ts'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.ts'
import { createAcls } from './create-acls.ts'
import { createDelegationToken } from './create-delegation-token.ts'
import { createPartitions } from './create-partitions.ts'
import { createTopics } from './create-topics.ts'
import { deleteAcls } from './delete-acls.ts'
import { deleteGroups } from './delete-groups.ts'
import { deleteRecords } from './delete-records.ts'
import { deleteTopics } from './delete-topics.ts'
import { describeAcls } from './describe-acls.ts'
import { describeClientQuotas } from './describe-client-quotas.ts'
import { describeCluster } from './describe-cluster.ts'
import { describeConfigs } from './describe-configs.ts'
import { describeDelegationToken } from './describe-delegation-token.ts'
import { describeGroups } from './describe-groups.ts'
import { describeLogDirs } from './describe-log-dirs.ts'
import { describeProducers } from './describe-producers.ts'
import { describeQuorum } from './describe-quorum.ts'
import { describeTopicPartitions } from './describe-topic-partitions.ts'
import { describeTransactions } from './describe-transactions.ts'
import { describeUserScramCredentials } from './describe-user-scram-credentials.ts'
import { electLeaders } from './elect-leaders.ts'
import { endTxn } from './end-txn.ts'
import { expireDelegationToken } from './expire-delegation-token.ts'
import { fetch } from './fetch.ts'
import { findCoordinator } from './find-coordinator.ts'
import { getTelemetrySubscriptions } from './get-telemetry-subscriptions.ts'
import { heartbeat } from './heartbeat.ts'
import { incrementalAlterConfigs } from './incremental-alter-configs.ts'
import { initProducerId } from './init-producer-id.ts'
import { joinGroup } from './join-group.ts'
import { leaveGroup } from './leave-group.ts'
import { listClientMetricsResources } from './list-client-metrics-resources.ts'
import { listGroups } from './list-groups.ts'
import { listOffsets } from './list-offsets.ts'
import { listPartitionReassignments } from './list-partition-reassignments.ts'
import { listTransactions } from './list-transactions.ts'
import { metadata } from './metadata.ts'
import { offsetCommit } from './offset-commit.ts'
import { offsetDelete } from './offset-delete.ts'
import { offsetFetch } from './offset-fetch.ts'
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.ts'
import { produce } from './produce.ts'
import { pushTelemetry } from './push-telemetry.ts'
import { renewDelegationToken } from './renew-delegation-token.ts'
import { saslAuthenticate } from './sasl-authenticate.ts'
import { saslHandshake } from './sasl-handshake.ts'
import { syncGroup } from './sync-group.ts'
import { txnOffsetCommit } from './txn-offset-commit.ts'
import { unregisterBroker } from './unregister-broker.ts'
import { updateFeatures } from './update-features.ts'

export const handlers: readonly AnyHandler[] = [
  produce, // 0
  fetch, // 1
  listOffsets, // 2
  metadata, // 3
  offsetCommit, // 8
  offsetFetch, // 9
  findCoordinator, // 10
  joinGroup, // 11
  heartbeat, // 12
  leaveGroup, // 13
  syncGroup, // 14
  describeGroups, // 15
  listGroups, // 16
  saslHandshake, // 17
  apiVersions, // 18
  createTopics, // 19
  deleteTopics, // 20
  deleteRecords, // 21
  initProducerId, // 22
  offsetForLeaderEpoch, // 23
  addPartitionsToTxn, // 24
  addOffsetsToTxn, // 25
  endTxn, // 26
  txnOffsetCommit, // 28
  describeAcls, // 29
  createAcls, // 30
  deleteAcls, // 31
  describeConfigs, // 32
  alterConfigs, // 33
  alterReplicaLogDirs, // 34
  describeLogDirs, // 35
  saslAuthenticate, // 36
  createPartitions, // 37
  createDelegationToken, // 38
  renewDelegationToken, // 39
  expireDelegationToken, // 40
  describeDelegationToken, // 41
  deleteGroups, // 42
  electLeaders, // 43
  incrementalAlterConfigs, // 44
  alterPartitionReassignments, // 45
  listPartitionReassignments, // 46
  offsetDelete, // 47
  describeClientQuotas, // 48
  alterClientQuotas, // 49
  describeUserScramCredentials, // 50
  alterUserScramCredentials, // 51
  describeQuorum, // 55
  updateFeatures, // 57
  describeCluster, // 60
  describeProducers, // 61
  unregisterBroker, // 64
  describeTransactions, // 65
  listTransactions, // 66
  consumerGroupHeartbeat, // 68
  consumerGroupDescribe, // 69
  getTelemetrySubscriptions, // 71 (only with client telemetry on: clientTelemetryApiKeys)
  pushTelemetry, // 72 (likewise)
  listClientMetricsResources, // 74
  describeTopicPartitions, // 75
]

/** The APIs Kafka advertises only when a client metrics receiver is configured (KIP-714): librdkafka
 * and the Java client start pushing as soon as they see them. */
export const clientTelemetryApiKeys: ReadonlySet<number> = new Set([71, 72])

/** The registry as one broker serves it: without the client telemetry APIs unless they are on. */
export function handlersFor(options: { clientTelemetry: boolean }): readonly AnyHandler[] {
  return options.clientTelemetry
    ? handlers
    : handlers.filter((handler) => !clientTelemetryApiKeys.has(handler.apiKey))
}
