// The tiered-storage topic configs' rules, with Kafka's messages (LogConfig.validateRemoteStorage*):
// a compacted topic cannot use remote storage; local.retention.* may not exceed retention.*. And the
// effective local retention: -2 means "same as the total retention".

import { KafkaError } from '../../errors.ts'
import { StorageErrorCode } from '../error-codes.ts'
import type { TopicConfig } from '../topic-config.ts'

/** Kafka's value for "use retention.ms / retention.bytes". */
export const localRetentionSameAsTotal = -2

function invalid(detail: string): KafkaError {
  return new KafkaError(StorageErrorCode.INVALID_CONFIG, detail)
}

function checkLocalNotAboveTotal(name: string, local: number, totalName: string, total: number): void {
  if (local === localRetentionSameAsTotal || total === -1) return
  if (local === -1) {
    throw invalid(
      `Invalid value -1 for configuration ${name}: Value must not be -1 as ${totalName} value is set as ${total}.`,
    )
  }
  if (local > total) {
    throw invalid(
      `Invalid value ${local} for configuration ${name}: Value must not be more than ${totalName} property value: ${total}`,
    )
  }
}

/** Throws INVALID_CONFIG (Kafka's messages) for a config remote storage cannot serve. */
export function checkRemoteStorageConfig(config: TopicConfig): void {
  if (!config.remoteStorageEnable) return
  if (config.cleanupPolicy.includes('compact')) {
    throw invalid('Remote log storage is unsupported for the compacted topics')
  }
  checkLocalNotAboveTotal('local.retention.ms', config.localRetentionMs, 'retention.ms', config.retentionMs)
  checkLocalNotAboveTotal(
    'local.retention.bytes',
    config.localRetentionBytes,
    'retention.bytes',
    config.retentionBytes,
  )
}

/** local.retention.ms in effect (-1: no time bound on the local copy). With remote.log.copy.disable,
 * local data follows retention.ms (Kafka 3.9: local retention no longer applies). */
export function effectiveLocalRetentionMs(config: TopicConfig): number {
  return config.localRetentionMs === localRetentionSameAsTotal || config.remoteLogCopyDisable
    ? config.retentionMs
    : config.localRetentionMs
}

/** local.retention.bytes in effect (-1: no size bound on the local copy); see effectiveLocalRetentionMs. */
export function effectiveLocalRetentionBytes(config: TopicConfig): number {
  return config.localRetentionBytes === localRetentionSameAsTotal || config.remoteLogCopyDisable
    ? config.retentionBytes
    : config.localRetentionBytes
}

/** Kafka's refusal of remote.storage.enable on a broker without remote storage (the in-memory engine,
 * or [tiered_storage] off). */
export function refuseRemoteStorage(config: TopicConfig): void {
  if (config.remoteStorageEnable) {
    throw invalid(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    )
  }
}

/** Kafka's refusal (LogConfig.validateTurningOffRemoteStorageWithDelete) of turning remote storage off
 * on a topic that had it on without `remote.log.delete.on.disable=true` in the new config: its copied
 * data would stop being readable. With it, the remote data is deleted (TieredStorage.deleteRemoteData);
 * `remote.log.copy.disable=true` is the way to stop copying and keep the data. */
export function checkRemoteStorageNotTurnedOff(previous: TopicConfig, next: TopicConfig): void {
  if (previous.remoteStorageEnable && !next.remoteStorageEnable && !next.remoteLogDeleteOnDisable) {
    throw invalid(
      'It is invalid to disable remote storage without deleting remote data. ' +
        'If you want to keep the remote data and turn to read only, please set `remote.storage.enable=true,remote.log.copy.disable=true`. ' +
        'If you want to disable remote storage and delete all remote data, please set `remote.storage.enable=false,remote.log.delete.on.disable=true`.',
    )
  }
}
