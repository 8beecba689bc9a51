// Every bound on what clients can make the broker hold, with its default and the reason for it.
// Kafka's own config name is given where one exists.

export interface BrokerLimits {
  /** `socket.request.max.bytes` (Kafka default 100 MiB): the largest request frame accepted. A larger
   * size prefix closes the connection before anything is allocated. */
  requestBytesMax: number
  /** `connections.max.idle.ms` (Kafka default 10 min): a connection with no traffic is closed. */
  connectionsMaxIdleMs: number
  /** Requests read from one connection but not yet answered. Past this the broker stops reading from
   * the socket until responses drain (back-pressure, so a pipelining client cannot grow our queues).
   * Kafka processes one request per connection at a time (it mutes the channel); clients pipeline up
   * to max.in.flight.requests.per.connection (default 5). */
  inflightRequestsPerConnectionMax: number
  /** Concurrent client connections; past this new connections are closed at once. */
  connectionsMax: number
  /** The longest a Fetch long-polls, whatever max_wait_ms asks (clients use 500 ms to 30 s). */
  fetchWaitMsMax: number
  /** `max.incremental.fetch.session.cache.slots` (Kafka default 1000): fetch sessions kept; the least
   * recently used is evicted for a new one. */
  fetchSessionsMax: number
  /** `min.incremental.fetch.session.eviction.ms` (Kafka default 2 min): idle fetch sessions expire. */
  fetchSessionIdleMs: number
}

export const defaultBrokerLimits: BrokerLimits = {
  requestBytesMax: 100 * 1024 * 1024,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  inflightRequestsPerConnectionMax: 100,
  connectionsMax: 10_000,
  fetchWaitMsMax: 5 * 60 * 1000,
  fetchSessionsMax: 1000,
  fetchSessionIdleMs: 120_000,
}
