// Kafka's broker config names (server.properties) accepted in the TOML file, each mapped once to a
// typed option. Units differ for some (`log.retention.hours`): `scale` converts to the option's unit.
// A Kafka name not listed here is an unknown key (refused), never silently ignored.

export interface KafkaAlias {
  /** The option's TOML key (options.ts). */
  key: string
  /** Multiply a numeric value by this (e.g. hours → ms). */
  scale?: number
  /** Kafka's list form (`log.dirs`): the first entry goes to `key`, the others (comma-separated) to
   * this option. */
  restOfListKey?: string
}

const hourMs = 3_600_000
const minuteMs = 60_000

export const kafkaAliases: ReadonlyMap<string, KafkaAlias> = new Map<string, KafkaAlias>([
  ['advertised.listeners', { key: 'security.advertised_listeners' }],
  ['allow.everyone.if.no.acl.found', { key: 'security.allow_everyone_if_no_acl_found' }],
  ['auto.create.topics.enable', { key: 'topics.auto_create' }],
  ['broker.id', { key: 'node_id' }],
  ['broker.rack', { key: 'broker_rack' }],
  ['compression.type', { key: 'topics.compression_type' }],
  ['connection.failed.authentication.delay.ms', { key: 'security.failed_authentication_delay_ms' }],
  ['connections.max.idle.ms', { key: 'limits.connections_max_idle_ms' }],
  ['connections.max.reauth.ms', { key: 'security.connections_max_reauth_ms' }],
  [
    'delegation.token.expiry.check.interval.ms',
    { key: 'security.delegation_token_expiry_check_interval_ms' },
  ],
  ['delegation.token.expiry.time.ms', { key: 'security.delegation_token_expiry_time_ms' }],
  ['delegation.token.master.key', { key: 'security.delegation_token_secret_key' }],
  ['delegation.token.max.lifetime.ms', { key: 'security.delegation_token_max_lifetime_ms' }],
  ['delegation.token.secret.key', { key: 'security.delegation_token_secret_key' }],
  ['group.consumer.heartbeat.interval.ms', { key: 'groups.consumer_heartbeat_interval_ms' }],
  ['group.consumer.migration.policy', { key: 'groups.consumer_migration_policy' }],
  ['group.consumer.session.timeout.ms', { key: 'groups.consumer_session_timeout_ms' }],
  ['group.initial.rebalance.delay.ms', { key: 'groups.initial_rebalance_delay_ms' }],
  ['group.max.session.timeout.ms', { key: 'groups.max_session_timeout_ms' }],
  ['group.min.session.timeout.ms', { key: 'groups.min_session_timeout_ms' }],
  ['listener.security.protocol.map', { key: 'security.listener_security_protocol_map' }],
  ['listeners', { key: 'security.listeners' }],
  ['log.cleanup.policy', { key: 'topics.cleanup_policy' }],
  ['log.dir', { key: 'data_dir' }],
  ['log.dirs', { key: 'data_dir', restOfListKey: 'log_dirs' }],
  ['log.flush.interval.messages', { key: 'flush.interval_messages' }],
  ['log.flush.interval.ms', { key: 'flush.interval_ms' }],
  ['log.message.timestamp.type', { key: 'topics.message_timestamp_type' }],
  ['log.retention.bytes', { key: 'topics.retention_bytes' }],
  ['log.retention.hours', { key: 'topics.retention_ms', scale: hourMs }],
  ['log.retention.minutes', { key: 'topics.retention_ms', scale: minuteMs }],
  ['log.retention.ms', { key: 'topics.retention_ms' }],
  ['log.roll.hours', { key: 'topics.segment_ms', scale: hourMs }],
  ['log.roll.ms', { key: 'topics.segment_ms' }],
  ['log.segment.bytes', { key: 'topics.segment_bytes' }],
  ['max.connections', { key: 'limits.connections_max' }],
  ['max.connections.per.ip', { key: 'limits.connections_per_ip_max' }],
  ['max.connections.per.ip.overrides', { key: 'limits.connections_per_ip_overrides' }],
  ['max.incremental.fetch.session.cache.slots', { key: 'limits.fetch_sessions_max' }],
  ['message.max.bytes', { key: 'topics.max_message_bytes' }],
  ['min.incremental.fetch.session.eviction.ms', { key: 'limits.fetch_session_idle_ms' }],
  ['node.id', { key: 'node_id' }],
  ['num.partitions', { key: 'topics.num_partitions' }],
  ['offsets.topic.num.partitions', { key: 'groups.offsets_topic_num_partitions' }],
  ['quota.window.num', { key: 'limits.quota_window_num' }],
  ['quota.window.size.seconds', { key: 'limits.quota_window_size_seconds' }],
  ['remote.log.manager.task.interval.ms', { key: 'tiered_storage.remote_log_manager_task_interval_ms' }],
  [
    'remote.log.manager.task.retry.backoff.max.ms',
    { key: 'tiered_storage.remote_log_manager_task_retry_backoff_max_ms' },
  ],
  [
    'remote.log.manager.task.retry.backoff.ms',
    { key: 'tiered_storage.remote_log_manager_task_retry_backoff_ms' },
  ],
  ['remote.log.storage.system.enable', { key: 'tiered_storage.remote_log_storage_system_enable' }],
  ['telemetry.max.bytes', { key: 'otel.telemetry_max_bytes' }],
  ['sasl.enabled.mechanisms', { key: 'security.sasl_enabled_mechanisms' }],
  ['sasl.oauthbearer.clock.skew.seconds', { key: 'security.sasl_oauthbearer_clock_skew_seconds' }],
  ['sasl.oauthbearer.expected.audience', { key: 'security.sasl_oauthbearer_expected_audience' }],
  ['sasl.oauthbearer.expected.issuer', { key: 'security.sasl_oauthbearer_expected_issuer' }],
  [
    'sasl.oauthbearer.jwks.endpoint.refresh.ms',
    { key: 'security.sasl_oauthbearer_jwks_endpoint_refresh_ms' },
  ],
  ['sasl.oauthbearer.jwks.endpoint.url', { key: 'security.sasl_oauthbearer_jwks_endpoint_url' }],
  ['sasl.oauthbearer.sub.claim.name', { key: 'security.sasl_oauthbearer_sub_claim_name' }],
  ['socket.request.max.bytes', { key: 'limits.request_bytes_max' }],
  ['ssl.client.auth', { key: 'security.ssl_client_auth' }],
  ['ssl.principal.mapping.rules', { key: 'security.ssl_principal_mapping_rules' }],
  ['super.users', { key: 'security.super_users' }],
])
